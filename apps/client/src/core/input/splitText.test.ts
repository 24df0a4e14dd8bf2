import { describe, expect, it } from 'vitest';
import { splitText } from './splitText';

describe('splitText', () => {
  it('keeps short text whole', () => {
    expect(splitText('héllo 你好', 1024)).toEqual(['héllo 你好']);
  });
  it('splits long text into chunks of at most max', () => {
    expect(splitText('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
  });
  it('never cuts a surrogate pair', () => {
    const chunks = splitText('ab😀cd', 3);
    expect(chunks).toEqual(['ab', '😀c', 'd']);
    expect(chunks.join('')).toBe('ab😀cd');
  });
});
