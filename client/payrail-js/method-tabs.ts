/**
 * The payment element's choice between the card and PayPal, inside Payrail's frame: WAI-ARIA tabs (a `tablist` of
 * `tab`s, each controlling a `tabpanel`) with automatic activation. One tab is in the Tab order (the selected one);
 * the arrow keys, Home and End move between tabs and select; Tab goes on into the selected panel. Shown only when the
 * PaymentIntent accepts more than one of these methods.
 */
import type { MethodTexts } from './messages.ts';
import type { PaymentMethodType } from './protocol.ts';

export class MethodTabs {
  readonly root: HTMLElement;
  private readonly tabs = new Map<PaymentMethodType, HTMLButtonElement>();
  private readonly panels = new Map<PaymentMethodType, HTMLElement>();
  private current: PaymentMethodType;

  /**
   * @param types the methods offered, in order (the first is selected)
   * @param cardContent the card fields, put into the card's panel
   * @param onSelect called when the shopper selects another method
   */
  constructor(
    private readonly types: readonly PaymentMethodType[],
    texts: MethodTexts,
    cardContent: HTMLElement,
    private readonly onSelect: (type: PaymentMethodType) => void,
  ) {
    this.current = types[0];
    this.root = document.createElement('div');
    this.root.className = 'Methods';
    const list = document.createElement('div');
    list.className = 'Tabs';
    list.setAttribute('role', 'tablist');
    list.setAttribute('aria-label', texts.choose);
    this.root.append(list);
    for (const type of types) {
      const tab = document.createElement('button');
      tab.type = 'button';
      tab.id = `tab-${type}`;
      tab.className = `Tab Tab--${type}`;
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-controls', `panel-${type}`);
      tab.textContent = type === 'card' ? texts.card : texts.paypal;
      tab.addEventListener('click', () => this.select(type, false));
      tab.addEventListener('keydown', (event) => this.onKey(event, type));
      list.append(tab);
      this.tabs.set(type, tab);

      const panel = document.createElement('div');
      panel.id = `panel-${type}`;
      panel.className = `Panel Panel--${type}`;
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', tab.id);
      if (type === 'card') panel.append(cardContent);
      else {
        // Nothing to fill in: the panel itself takes the focus after the tab, so a screen reader reads what happens next.
        panel.tabIndex = 0;
        const note = document.createElement('p');
        note.className = 'Note';
        note.textContent = texts.paypalRedirect;
        panel.append(note);
      }
      this.root.append(panel);
      this.panels.set(type, panel);
    }
    this.render();
  }

  get selected(): PaymentMethodType {
    return this.current;
  }

  /** The selected tab, for `element.focus()` when there is no card to fill in. */
  focusSelected(): void {
    this.tabs.get(this.current)?.focus();
  }

  private select(type: PaymentMethodType, focus: boolean): void {
    if (focus) this.tabs.get(type)?.focus();
    if (type === this.current) return;
    this.current = type;
    this.render();
    this.onSelect(type);
  }

  private onKey(event: KeyboardEvent, type: PaymentMethodType): void {
    const index = this.types.indexOf(type);
    let next: number | undefined;
    if (event.key === 'ArrowRight' || event.key === 'ArrowDown') next = (index + 1) % this.types.length;
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') next = (index - 1 + this.types.length) % this.types.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = this.types.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    this.select(this.types[next], true);
  }

  private render(): void {
    for (const [type, tab] of this.tabs) {
      const selected = type === this.current;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      tab.classList.toggle('Tab--selected', selected);
      this.panels.get(type)!.hidden = !selected;
    }
  }
}
