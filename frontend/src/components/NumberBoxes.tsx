import { toPercent } from '../percent';
import { boxStyle, type NumberReading } from '../reading';
import './reading.css';

/** The share of the pad's height a tag needs above its box. */
const TAG_ROOM = 0.18;

export interface NumberBoxesProps {
  reading: NumberReading;
  /** The digit whose bars are shown, or null. */
  selected: number | null;
  onSelect: (index: number) => void;
}

/**
 * A box over each digit of the number read, where the server found it, with a tag saying its guess and
 * confidence. Tapping the tag (with a finger, a pen, the mouse or the keyboard) shows that digit's bars. Only the
 * tags take pointer input: the pen goes through the boxes, so one can keep writing.
 */
export function NumberBoxes({ reading, selected, onSelect }: NumberBoxesProps) {
  return (
    <div className="number-boxes" data-testid="number-boxes">
      {reading.digits.map((digit, index) => {
        const percent = Math.round(toPercent(digit.confidence));
        const count = reading.digits.length;
        const classes = [
          'number-box',
          digit.verdict !== 'digit' ? 'doubtful' : '',
          digit.box.y < TAG_ROOM * reading.height ? 'tag-below' : '', // no room above: the tag goes under the box
        ];
        return (
          <div
            key={index}
            className={classes.filter(Boolean).join(' ')}
            style={boxStyle(digit.box, reading)}
            data-testid={`digit-box-${index}`}
            data-digit={digit.digit}
          >
            <button
              type="button"
              className="number-tag"
              aria-pressed={selected === index}
              aria-label={`Digit ${index + 1} of ${count}: ${digit.digit}, ${percent}% sure. Show its probabilities.`}
              data-testid={`digit-tag-${index}`}
              onClick={() => onSelect(index)}
              // A finger or a pen chooses on lifting: a tap just after a stroke may bring no click (the browser
              // can take it for the second tap of a double tap), and choosing twice is harmless.
              onPointerUp={(event) => event.pointerType !== 'mouse' && onSelect(index)}
            >
              {digit.digit}
              <span className="number-tag-confidence">{percent}%</span>
            </button>
          </div>
        );
      })}
    </div>
  );
}
