import { describe, expect, it } from 'vitest';
import { reportOptions } from '../../src/commands/outputs.ts';
import { parseCommandArgs } from '../../src/commands/parse.ts';
import { InputError } from '../../src/messages.ts';

describe('parseCommandArgs', () => {
  it('parses the shared report options with their defaults, plus positionals', () => {
    const { values, positionals } = parseCommandArgs('u', ['dir', '--out', 'r.html', '--fail-on', 'a', '--fail-on', 'b'], reportOptions);
    expect(positionals).toEqual(['dir']);
    expect(values).toEqual({ out: 'r.html', 'fail-on': ['a', 'b'], static: false, quiet: false });
  });

  it('turns an unknown option into an InputError quoting the usage', () => {
    expect(() => parseCommandArgs('losslens x [--quiet]', ['--nope'], reportOptions)).toThrow(InputError);
    expect(() => parseCommandArgs('losslens x [--quiet]', ['--nope'], reportOptions)).toThrow(/valid options \(losslens x \[--quiet\]\).*--nope/);
  });
});
