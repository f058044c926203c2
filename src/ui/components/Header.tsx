import { useStore } from '../store';
import { BackendBadge } from './BackendBadge';
import { LoadedInfo } from './LoadedInfo';
import { StatusLine } from './StatusLine';

/** Always visible: what is loaded, which backend runs, and what is happening now. */
export function Header() {
  const urlNotice = useStore((s) => s.urlNotice);
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
      {urlNotice !== undefined && (
        <p className="notice url-notice" role="status" data-testid="url-notice">
          {urlNotice}
        </p>
      )}
    </header>
  );
}
