import { useStore } from '../store';

/** Chooses what the kernel grid shows per filter: the mean over input channels, or one input channel. */
export function ChannelSelect({ inputChannels }: { inputChannels: number }) {
  const channel = useStore((s) => s.channel);
  const setChannel = useStore((s) => s.setChannel);
  return (
    <label>
      Show{' '}
      <select
        value={String(channel)}
        onChange={(event) => setChannel(event.target.value === 'mean' ? 'mean' : Number(event.target.value))}
        data-testid="channel-select"
      >
        <option value="mean">mean over input channels</option>
        {Array.from({ length: inputChannels }, (_, i) => (
          <option key={i} value={i}>
            input channel {i}
          </option>
        ))}
      </select>
    </label>
  );
}
