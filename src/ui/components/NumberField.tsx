import { useId, useState } from 'react';

import { describeRange, parseInRange } from '../number-range';

interface NumberFieldProps {
  label: string;
  /** Current value; undefined shows an empty field (with the placeholder). */
  value: number | undefined;
  min: number;
  max: number;
  step: number;
  /** Called with each valid value typed, or with undefined when the field is emptied and `optional`. */
  onCommit: (value: number | undefined) => void;
  optional?: boolean;
  /** Only whole numbers are valid. */
  integer?: boolean;
  placeholder?: string;
  disabled?: boolean;
  testId?: string;
  className?: string;
}

/**
 * A labelled number input that lets the user type freely, commits only values inside
 * [min, max], and returns to the committed value when it loses focus. The allowed range is
 * in the input's title and description, and shows inline while the typed value is invalid.
 */
export function NumberField(props: NumberFieldProps) {
  const id = useId();
  const hintId = `${id}-range`;
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const text = draft ?? (props.value === undefined ? '' : String(props.value));
  const invalid = draft !== undefined && parseInRange(draft, props) === 'invalid';
  const range = describeRange(props);

  const onChange = (next: string) => {
    setDraft(next);
    const parsed = parseInRange(next, props);
    if (parsed !== 'invalid') props.onCommit(parsed);
  };

  return (
    <span className={`number-field ${props.className ?? ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        min={props.min}
        max={props.max}
        step={props.step}
        value={text}
        placeholder={props.placeholder}
        disabled={props.disabled}
        title={`Allowed: ${range}`}
        aria-invalid={invalid}
        aria-describedby={hintId}
        data-testid={props.testId}
        onChange={(event) => onChange(event.target.value)}
        onBlur={() => setDraft(undefined)}
      />
      <span id={hintId} className={invalid ? 'range-hint' : 'range-hint visually-hidden'} data-testid={props.testId === undefined ? undefined : `${props.testId}-hint`}>
        {invalid ? `Enter ${range}.` : `Allowed: ${range}.`}
      </span>
    </span>
  );
}
