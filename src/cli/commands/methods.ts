// Help lines for the pruning methods, shared by `prune` and `sweep`.
import { methodDefinition, PRUNE_METHODS } from '../../core/criteria';

/** Column where option descriptions start in the help texts. */
const DESCRIPTION_COLUMN = 30;

/** Lists every method with what it removes, one per line, indented to the description column. */
export function formatMethodHelp(): string {
  const indent = ' '.repeat(DESCRIPTION_COLUMN);
  return PRUNE_METHODS.map((method) => `${indent}${method}: ${methodDefinition(method).summary}`).join('\n');
}
