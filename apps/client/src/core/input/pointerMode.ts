/**
 * How a browser pointer reaches the app. Fingers are always sent as touch. A mouse or pen is
 * sent as touch when the app is a touch app (phone/tablet profile), so a desktop user can tap
 * and swipe a phone app: pressing the primary button is a finger going down, and moves without
 * a button are dropped (a finger cannot hover). Otherwise mouse and pen are a mouse.
 */
export function pointerMode(pointerType: string, appIsTouch: boolean): 'touch' | 'mouse' {
  if (pointerType === 'touch') return 'touch';
  return appIsTouch ? 'touch' : 'mouse';
}

/** The DOM `buttons` bit of a DOM `button` number (they are numbered differently). */
export function buttonBit(button: number): number {
  switch (button) {
    case 0:
      return 1;
    case 1:
      return 4;
    case 2:
      return 2;
    case 3:
      return 8;
    case 4:
      return 16;
    default:
      return 0;
  }
}
