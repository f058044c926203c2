import { useMemo } from 'react';

import { useStore } from '../store';
import { blockRows, coupledGroups, type BlockRowView } from './model-blocks-data';
import './model-blocks.css';

/**
 * Lists the model's layers in order, as blocks: each coupled group has a number, its members carry
 * that number, and layers that keep every channel reaching them show why.
 */
export function ModelBlocks() {
  const layers = useStore((s) => s.model?.layers);
  const groups = useMemo(() => coupledGroups(layers ?? []), [layers]);
  const rows = useMemo(() => blockRows(layers ?? [], groups), [layers, groups]);
  if (layers === undefined) return null;

  return (
    <details className="model-blocks" data-testid="model-blocks">
      <summary>
        Model graph: {layers.length} layers, {groups.length} coupled {groups.length === 1 ? 'group' : 'groups'}
      </summary>
      {groups.length > 0 && (
        <ul className="coupled-groups" data-testid="coupled-groups">
          {groups.map((group, index) => (
            <li key={group.lead}>
              <GroupTag number={index + 1} /> {group.members.join(', ')}: a merge layer (Add, Multiply and the like) joins their
              outputs, so they keep the same filters and are pruned as one unit named {group.lead}
              {group.prunable ? '' : ', which cannot be pruned'}.
            </li>
          ))}
        </ul>
      )}
      <ol className="layer-blocks">
        {rows.map((row) => (
          <BlockRow key={row.layer.name} row={row} />
        ))}
      </ol>
    </details>
  );
}

function GroupTag({ number }: { number: number }) {
  return <span className={`group-tag group-${((number - 1) % 6) + 1}`}>group {number}</span>;
}

function BlockRow({ row }: { row: BlockRowView }) {
  const { layer, kind, group } = row;
  const channels = layer.outputShape[layer.outputShape.length - 1];
  return (
    <li className={`block ${kind}${group === undefined ? '' : ' grouped'}`} data-testid={`block-${layer.name}`}>
      <span className="block-name">{layer.name}</span> <span className="muted">{layer.className}</span> · {channels ?? '?'} channels
      {group !== undefined && <GroupTag number={group} />}
      {layer.frozenReason !== undefined && <span className="block-reason">frozen: {layer.frozenReason}</span>}
    </li>
  );
}
