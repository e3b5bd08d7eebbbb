import type { Mode } from '../useReaders';
import './reading.css';

export interface ModeSwitchProps {
  mode: Mode;
  onChange: (mode: Mode) => void;
}

const MODES: { mode: Mode; label: string; hint: string }[] = [
  { mode: 'digit', label: 'Digit', hint: 'Write one digit' },
  { mode: 'number', label: 'Number', hint: 'Write a whole number, its digits side by side' },
];

/** Digit | Number: two pressed-or-not buttons; each mode keeps its own drawing. */
export function ModeSwitch({ mode, onChange }: ModeSwitchProps) {
  return (
    <div className="mode-switch" role="group" aria-label="What to write">
      {MODES.map((option) => (
        <button
          key={option.mode}
          type="button"
          className="mode-option"
          aria-pressed={mode === option.mode}
          title={option.hint}
          data-testid={`mode-${option.mode}`}
          onClick={() => mode !== option.mode && onChange(option.mode)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
