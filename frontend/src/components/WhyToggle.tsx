import './reading.css';

export interface WhyToggleProps {
  on: boolean;
  onChange: (on: boolean) => void;
  disabled?: boolean;
}

/** "Why?": lays over the drawing what made the network decide (a heatmap the server makes on request). */
export function WhyToggle({ on, onChange, disabled = false }: WhyToggleProps) {
  return (
    <button
      type="button"
      className="btn btn-quiet why-toggle"
      aria-pressed={on}
      disabled={disabled}
      data-testid="why-toggle"
      title="Show which strokes made the network decide"
      onClick={() => onChange(!on)}
    >
      Why?
    </button>
  );
}
