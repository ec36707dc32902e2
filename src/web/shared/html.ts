const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escapes a value for an HTML string (an ECharts tooltip formatter's return value, which
 * ECharts puts into the page as HTML). Every name or figure that reaches such a string goes
 * through it: a partner named `<iframe srcdoc=…>` is shown as text, never run.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => entities[c] ?? c);
}
