// Rows of the model-graph list, worked out from the layer summaries alone so that they can be
// tested without a page.

import type { LayerSummary } from '../../core/types';

/** One coupled group of more than one member: its lead layer and every member. */
export interface GroupView {
  lead: string;
  members: string[];
  prunable: boolean;
}

/** One layer of the list: prunable, frozen (keeps every channel reaching it) or plain. */
export interface BlockRowView {
  layer: LayerSummary;
  kind: 'prunable' | 'frozen' | 'plain';
  /** 1-based number of the coupled group the layer belongs to, if any. */
  group?: number;
}

/** Returns the coupled groups of more than one member, in model order of their leads. */
export function coupledGroups(layers: readonly LayerSummary[]): GroupView[] {
  return layers
    .filter((layer) => layer.groupMembers !== undefined && layer.groupMembers.length > 1)
    .map((layer) => ({ lead: layer.name, members: layer.groupMembers!, prunable: layer.prunable }));
}

/** Returns one row per layer, in model order, with its kind and coupled-group number. */
export function blockRows(layers: readonly LayerSummary[], groups: readonly GroupView[]): BlockRowView[] {
  const groupNumber = new Map(groups.flatMap((group, index) => group.members.map((member) => [member, index + 1] as const)));
  return layers.map((layer) => {
    let kind: BlockRowView['kind'] = 'plain';
    if (layer.prunable) kind = 'prunable';
    else if (layer.frozenReason !== undefined) kind = 'frozen';
    const row: BlockRowView = { layer, kind };
    const group = groupNumber.get(layer.name);
    if (group !== undefined) row.group = group;
    return row;
  });
}
