import type { AnsweredBy } from '../api';
import { SOURCE_WORDS, type SourceChoice } from '../answerSource';
import './reading.css';
import './answerSource.css';

export interface AnswerSourceProps {
  choice: SourceChoice;
  onChange: (choice: SourceChoice) => void;
  /** Where the answer on screen came from; null when none is shown. */
  answeredBy: AnsweredBy | null;
  /** Why answers come from where they do (the server is unreachable, or back), or null. */
  notice: string | null;
  /** Can this browser run the model itself? */
  deviceAvailable: boolean;
  /** Things that still need the server while it is away (a number, a correction). */
  serverOnly?: string | null;
}

const CHOICES: { choice: SourceChoice; label: string; hint: string }[] = [
  { choice: 'auto', label: 'Auto', hint: 'The server while it answers, this device when it can’t be reached' },
  { choice: 'server', label: 'Server', hint: 'Always ask the server' },
  { choice: 'device', label: 'This device', hint: 'Run the model in this browser: works offline' },
];

/** Answers from: Auto | Server | This device, where the answer on screen came from, and why. */
export function AnswerSource({
  choice,
  onChange,
  answeredBy,
  notice,
  deviceAvailable,
  serverOnly = null,
}: AnswerSourceProps) {
  return (
    <div className="answer-source">
      <div className="source-row">
        <span className="source-label" id="source-label">
          Answers from
        </span>
        <div className="source-switch" role="group" aria-labelledby="source-label">
          {CHOICES.map((option) => {
            const unavailable = option.choice === 'device' && !deviceAvailable;
            return (
              <button
                key={option.choice}
                type="button"
                className="source-option"
                aria-pressed={choice === option.choice}
                disabled={unavailable}
                title={unavailable ? 'This browser cannot run the model itself' : option.hint}
                data-testid={`source-${option.choice}`}
                onClick={() => choice !== option.choice && onChange(option.choice)}
              >
                {option.label}
              </button>
            );
          })}
        </div>
      </div>
      {answeredBy && (
        <p className="answered-by" data-testid="answered-by" data-source={answeredBy}>
          Answered by {SOURCE_WORDS[answeredBy]}
        </p>
      )}
      <p className="source-notice" role="status" data-testid="source-notice" hidden={!notice && !serverOnly}>
        {[notice, serverOnly].filter(Boolean).join(' ')}
      </p>
    </div>
  );
}
