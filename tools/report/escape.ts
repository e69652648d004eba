const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML and SVG content and for quoted attribute values. */
export function escapeText(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ENTITIES[char]);
}
