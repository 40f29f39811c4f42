/** A small outline with the proportions of an aspect ratio like "16:9". */
export function AspectShape({ ratio, size = 22 }: { ratio: string; size?: number }) {
  const [w, h] = ratio.split(":").map(Number);
  const scale = size / Math.max(w, h);
  return (
    <span aria-hidden className="grid place-items-center" style={{ width: size, height: size }}>
      <span className="block rounded-[3px] border-2 border-current" style={{ width: Math.round(w * scale), height: Math.round(h * scale) }} />
    </span>
  );
}
