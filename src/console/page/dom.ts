/**
 * Builds elements from text only: every name that reaches the page (accounts, users,
 * sysadmins) becomes a text node, so nothing anyone typed can ever be read as HTML.
 */
export type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class !== undefined) element.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children.flatMap((child) => (child === null || child === undefined || child === false ? [] : [child])));
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element; attributes are presentation attributes, not inline style (the CSP forbids that). */
export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  element.append(...children.flatMap((child) => (child === null || child === undefined || child === false ? [] : [child])));
  return element;
}

/** The element with this id, which the page's HTML promises. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the console page has no #${id}`);
  return element;
}
