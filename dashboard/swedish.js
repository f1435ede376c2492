// Streamlit's dropdowns (st.multiselect, st.selectbox) in Swedish. Their frontend hard-codes
// English (static/js/Multiselect.*.js, Selectbox.*.js, react-aria's combobox with locale
// en-US): no parameter, theme or config reaches these words. CSS could only paint a fixed
// text over them: no count in "Välj 4 träffar", the hidden English still the option's name
// for a screen reader and in the DOM, and aria-labels out of reach. So this fixed script
// rewrites the exact known strings where Streamlit puts them, and nothing else:
//  - text inside the open dropdown (a popover at the end of the body): the bulk option
//    ("Select all", "Select N matches", found by its key) and the empty list ("No results");
//  - the aria-label of the dropdowns' own buttons (clear, open, remove a tag, dismiss);
//  - react-aria's spoken count of options in its live region ("5 options available.");
//  - the name of the help icon beside a widget's or a metric's label ("Help for X").
// Option labels, tags and every other text of the page are never touched. One
// MutationObserver, installed once per browser tab (the st.html element may be mounted
// again on navigation): it runs in the microtask after React's change, before the browser
// paints, so the English is never shown.
(() => {
  if (window.stadsdelDropdowns) return;
  window.stadsdelDropdowns = true;
  // where Streamlit's words are: its widgets and tooltip targets (live collections by
  // Streamlit's class names) and what React puts next to the app's root at the end of the
  // body (the open dropdown, the live region). A pass looks into these small subtrees only, not the whole page: it runs
  // after every change of the page (each query over the page would cost on every one).
  const WIDGETS = [document.getElementsByClassName("stMultiSelect"), document.getElementsByClassName("stSelectbox")];
  const POPOVER = '[data-testid="stMultiSelectDropdown"], [data-testid="stSelectboxVirtualDropdown"]';
  const LABELS = new Map([
    ["Clear all", "Ta bort alla"],
    ["Clear value", "Ta bort valet"],
    ["Open", "Visa alternativ"],
    ["Selected values", "Valda"],
    ["Dismiss", "Stäng"],
  ]);
  const BULK = new Set(["__select_all__", "__select_matches__"]);
  const EMPTY = new Set(["No results", "Inga träffar", "Inga fler alternativ"]);

  // the element's only text node gets the new text (React owns the element and sets its
  // text again when its own value changes; the observer then comes back)
  const setText = (el, text) => {
    const node = el.firstChild;
    if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling && node.nodeValue !== text) {
      node.nodeValue = text;
    }
  };

  // buttons and the group of tags only: a tag's own aria-label is the option (document text)
  const fixLabels = (root) => {
    for (const el of root.querySelectorAll("button[aria-label], [role='group'][aria-label]")) {
      const en = el.getAttribute("aria-label");
      const sv = LABELS.get(en) ?? (en.startsWith("Remove ") && el.parentElement?.hasAttribute("data-tag")
        ? `Ta bort ${en.slice("Remove ".length)}` : undefined);
      if (sv !== undefined) el.setAttribute("aria-label", sv);
    }
  };

  const fixPopover = (popover) => {
    fixLabels(popover);
    for (const el of popover.querySelectorAll('[role="option"] > [data-item-hl]')) {
      if (!BULK.has(el.parentElement.getAttribute("data-key"))) continue;    // an option's own label
      const m = /^Select (?:(all)|(\d+) matches)$/.exec(el.textContent);
      if (m) setText(el, m[1] ? "Välj alla" : `Välj ${m[2]} träffar`);
    }
    for (const el of popover.querySelectorAll('[role="listbox"][data-empty] > [role="option"] > span')) {
      if (!EMPTY.has(el.textContent)) continue;
      // a typed filter without a match, or nothing left to list (every option chosen)
      const id = el.parentElement.parentElement.id;
      const input = id && document.querySelector(`input[aria-controls="${CSS.escape(id)}"]`);
      setText(el, input && input.value.trim() ? "Inga träffar" : "Inga fler alternativ");
    }
  };

  const fixSpoken = (region) => {
    for (const el of region.querySelectorAll('[role="log"] > div')) {
      const m = /^(\d+) options? available\.$/.exec(el.textContent);
      if (m) setText(el, `${m[1]} ${m[1] === "1" ? "alternativ tillgängligt" : "alternativ tillgängliga"}.`);
      else if (el.textContent.endsWith(", selected")) {
        setText(el, `${el.textContent.slice(0, -", selected".length)}, vald`);
      }
    }
  };

  // the help icon's name is Streamlit's "Help for " + our label (or "Help" without one); the
  // icons sit in Streamlit's tooltip targets (a live collection, like WIDGETS)
  const TOOLTIPS = document.getElementsByClassName("stTooltipHoverTarget");
  const HELP = 'button[aria-label="Help"], button[aria-label^="Help for "]';
  const fixHelp = () => {
    for (const tip of TOOLTIPS) for (const el of tip.querySelectorAll(HELP)) {
      const en = el.getAttribute("aria-label");
      el.setAttribute("aria-label", en === "Help" ? "Hjälp" : `Hjälp om ${en.slice("Help for ".length)}`);
    }
  };

  const fix = () => {
    for (const widgets of WIDGETS) for (const w of widgets) fixLabels(w);
    fixHelp();
    for (const el of document.body.children) {
      if (el.hasAttribute("data-live-announcer")) fixSpoken(el);
      else if (el.id !== "root") for (const p of el.querySelectorAll(POPOVER)) fixPopover(p);
    }
  };

  new MutationObserver(fix).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["aria-label"],
  });
  // emptying the filter changes no DOM when the list stays empty: "Inga träffar" must still go
  document.addEventListener("input", fix, true);
  fix();
})();
