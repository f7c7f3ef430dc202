// Reading a node's Prometheus metrics (`--prometheus-port`), as an operator's monitoring would.

/**
 * The node's Prometheus metrics. `value(name, labels)` is the value of the sample `name`
 * whose labels include `labels` (the node adds others, such as `chain`), or undefined.
 */
export async function scrapeMetrics(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const samples = text.split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [, name, labels = '', value] = line.match(/^([^{ ]+)(?:\{(.*)\})? (\S+)$/);
      return {
        name,
        labels: Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])),
        value: Number(value),
      };
    });
  return {
    value(name, labels) {
      return samples.find((s) => s.name === name
        && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    },
  };
}
