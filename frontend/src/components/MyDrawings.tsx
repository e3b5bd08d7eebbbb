import { memo } from 'react';
import { forgetMyDrawings, useMyDrawings, type MyDrawing } from '../myDrawings';
import './feedback.css';

const describe = (drawing: MyDrawing): string =>
  drawing.kind === 'correction'
    ? `You said ${drawing.label}; the model said ${drawing.predicted}.`
    : `Shared; the model said ${drawing.predicted}.`;

/**
 * "My drawings": what this browser corrected or shared, newest first, each with its picture (and its link, when
 * shared). The list lives in this browser only; nothing shows until there is something in it.
 */
export const MyDrawings = memo(function MyDrawings() {
  const drawings = useMyDrawings();
  if (drawings.length === 0) return null;
  return (
    <details className="my-drawings" data-testid="my-drawings">
      <summary>My drawings ({drawings.length})</summary>
      <ul className="my-drawings-list">
        {drawings.map((drawing) => (
          <li key={drawing.id} className="my-drawing" data-testid="my-drawing" data-kind={drawing.kind}>
            <img className="drawing-thumb" src={drawing.image} alt="" width={56} height={56} />
            <span>
              {describe(drawing)}
              {drawing.url && (
                <>
                  {' '}
                  <a href={drawing.url} data-testid="my-drawing-link">
                    Open
                  </a>
                </>
              )}
            </span>
          </li>
        ))}
      </ul>
      <p className="my-drawings-note">
        This list is kept in this browser only.{' '}
        <button
          type="button"
          className="btn btn-quiet btn-small"
          data-testid="forget-drawings"
          onClick={forgetMyDrawings}
        >
          Forget it
        </button>
      </p>
    </details>
  );
});
