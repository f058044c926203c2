import { BackendBadge } from './BackendBadge';
import { LoadedInfo } from './LoadedInfo';
import { StatusLine } from './StatusLine';

/** Always visible: what is loaded, which backend runs, and what is happening now. */
export function Header() {
  return (
    <header className="header">
      <div className="brand">
        <h1>PeakPrune</h1>
        <p>Filter pruning by density peak clustering and APoZ, in your browser.</p>
      </div>
      <div className="header-facts">
        <LoadedInfo />
        <BackendBadge />
      </div>
      <StatusLine />
    </header>
  );
}
