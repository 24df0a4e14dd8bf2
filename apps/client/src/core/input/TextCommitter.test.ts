import { describe, expect, it } from 'vitest';
import { TextCommitter } from './TextCommitter';

describe('TextCommitter', () => {
  it('commits programmatic insertText as one string (Playwright insertText)', () => {
    const t = new TextCommitter();
    expect(t.input('insertText', 'héllo 你好', false)).toBe('héllo 你好');
  });

  it('commits a paste', () => {
    expect(new TextCommitter().input('insertFromPaste', 'pasted\ntext', false)).toBe('pasted\ntext');
  });

  it('commits IME text once, at compositionend', () => {
    const t = new TextCommitter();
    t.compositionStart();
    expect(t.input('insertCompositionText', 'n', true)).toBeNull();
    expect(t.input('insertCompositionText', 'ni', true)).toBeNull();
    expect(t.compositionEnd('你')).toBe('你');
  });

  it('drops an input echo of the composed text (Safari order)', () => {
    const t = new TextCommitter();
    t.compositionStart();
    expect(t.compositionEnd('日本')).toBe('日本');
    expect(t.input('insertText', '日本', false)).toBeNull();
    // The next identical input is real typing, not an echo.
    expect(t.input('insertText', '日本', false)).toBe('日本');
  });

  it('ignores an empty or cancelled composition', () => {
    const t = new TextCommitter();
    t.compositionStart();
    expect(t.compositionEnd('')).toBeNull();
    expect(t.compositionEnd(null)).toBeNull();
  });

  it('ignores deletions and formatting input types', () => {
    const t = new TextCommitter();
    expect(t.input('deleteContentBackward', null, false)).toBeNull();
    expect(t.input('insertLineBreak', null, false)).toBeNull();
    expect(t.input('insertText', null, false)).toBeNull();
  });

  it('forgets the echo once a key was sent', () => {
    const t = new TextCommitter();
    t.compositionStart();
    t.compositionEnd('a');
    t.keySent();
    expect(t.input('insertText', 'a', false)).toBe('a');
  });
});
