// Building the page's HTML elements: the two helpers every renderer uses.

/**
 * A `tag` element with `attributes` (`class`, `onclick`-style listeners, the rest as
 * attributes; null and undefined skipped) and `children` (nodes or text, nested arrays
 * flattened, null and undefined skipped).
 */
export function h(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of [children].flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** Sets the text of the `[data-field=field]` element under `root`; returns that element. */
export function fill(root, field, value) {
  const node = root.querySelector(`[data-field="${field}"]`);
  node.textContent = value;
  return node;
}
