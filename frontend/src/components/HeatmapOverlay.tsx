import './reading.css';

export interface HeatmapOverlayProps {
  /** The heatmap PNG (a data URL) with the drawing's proportions, or null for none. */
  heatmap: string | null;
}

/**
 * The "why" heatmap laid over the drawing, stretched to it: the server draws it on the exported picture, which
 * has the pad's proportions. Red marks the strokes that decided the answer most. It lets the pen through.
 */
export function HeatmapOverlay({ heatmap }: HeatmapOverlayProps) {
  if (!heatmap) return null;
  return <img className="heatmap-overlay" src={heatmap} alt="" data-testid="heatmap" />;
}
