// The schema's messages name fields as the API spells them ("image_fidelity must
// be between 0 and 1"), which suits API callers; beside a form field they read
// as sentences in the form's own words ("Reference strength must be between 0 and 1.").
const LABELS: Record<string, string> = {
  prompt: "The prompt",
  negative_prompt: "The negative prompt",
  image: "The reference image",
  image_fidelity: "Reference strength",
  n: "The number of images",
  aspect_ratio: "The aspect ratio",
};

export function asSentence(field: string, message: string): string {
  let text = message.trim();
  const label = LABELS[field];
  if (label) {
    const named = new RegExp(`^${field}(:\\s*|\\s+)`);
    if (named.test(text)) text = text.replace(named, (_m, sep: string) => (sep.startsWith(":") ? `${label}: ` : `${label} `));
    // "The reference image: each side must be…" → "The reference image: each…" keeps its colon; the rest read on.
  }
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}
