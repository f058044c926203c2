import { clusterColor } from '../charts/palette';
import { formatPercent } from '../charts/KernelGrid';
import { useLayerView } from '../components/useLayerView';
import { useStore } from '../store';
import { apozRanking } from './steps';

/**
 * Lists each cluster's filters by decreasing APoZ, the order in which the cluster gives them up.
 * With `showRemoved` the filters the plan removes are struck through, and a sentence sums up what remains.
 */
export function ApozRanking({ name, showRemoved }: { name: string; showRemoved: boolean }) {
  const { layer, removed, setHoveredFilter } = useLayerView(name);
  const method = useStore((s) => s.planOptions.method);
  if (layer === undefined) return null;
  const ranking = apozRanking(layer.dpc.labels, layer.dpc.centers.length, layer.apoz.apoz);
  const score = (filter: number) => (layer.apoz.applies ? formatPercent(layer.apoz.apoz[filter]) : 'n/a');

  return (
    <div className="apoz-ranking" data-testid="apoz-ranking">
      {!layer.apoz.applies && (
        <p className="notice">APoZ does not apply to this layer because its activation never outputs exact zeros ({layer.apoz.activation}).</p>
      )}
      {showRemoved && (
        <p data-testid="removed-summary">
          The plan removes {removed.size} of {layer.filters} filters; {layer.filters - removed.size} remain, and{' '}
          {ranking.filter((members) => members.some((f) => !removed.has(f))).length} of {ranking.length} clusters keep members.
          {method === 'dpc-apoz' ? '' : ` The plan uses the ${method} method, so its choice does not follow this ranking.`}
        </p>
      )}
      <table>
        <caption>Filters of each cluster by decreasing APoZ (first removed first)</caption>
        <tbody>
          {ranking.map((members, k) => (
            <tr key={k} data-cluster={k}>
              <th scope="row" style={{ borderLeft: `6px solid ${clusterColor(k)}` }}>
                Cluster {k}
              </th>
              <td>
                {members.map((filter) => (
                  <span
                    key={filter}
                    className={showRemoved && removed.has(filter) ? 'ar-filter is-removed' : 'ar-filter'}
                    data-filter={filter}
                    onMouseEnter={() => setHoveredFilter(filter)}
                    onMouseLeave={() => setHoveredFilter(null)}
                  >
                    #{filter} {score(filter)}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
