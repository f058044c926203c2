import { useId, useState } from 'react';

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
  placeholder?: string;
  disabled?: boolean;
  testId?: string;
  className?: string;
}

/**
 * A labelled number input that lets the user type freely, commits only values inside
 * [min, max], and returns to the committed value when it loses focus.
 */
export function NumberField(props: NumberFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const text = draft ?? (props.value === undefined ? '' : String(props.value));
  const invalid = draft !== undefined && parse(draft, props) === 'invalid';

  const onChange = (next: string) => {
    setDraft(next);
    const parsed = parse(next, props);
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
        aria-invalid={invalid}
        data-testid={props.testId}
        onChange={(event) => onChange(event.target.value)}
        onBlur={() => setDraft(undefined)}
      />
    </span>
  );
}

function parse(text: string, props: NumberFieldProps): number | undefined | 'invalid' {
  if (text.trim() === '') return props.optional ? undefined : 'invalid';
  const value = Number(text);
  if (!Number.isFinite(value) || value < props.min || value > props.max) return 'invalid';
  return value;
}
