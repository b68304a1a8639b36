// The KBLI picker: an ARIA combobox searching the plan's KBLI codes by words or digits.
import { h, page, t } from "./i18n.js";

async function search(q) {
  const resp = await fetch(`/pages/kbli?${new URLSearchParams({ q, lang: page.lang })}`);
  if (!resp.ok) return [];
  return (await resp.json()).items || [];
}

export function kbliCombo({ input, list, onChoose, onClear }) {
  let items = [];
  let active = -1;
  let timer = null;
  let chosenText = "";

  function open(show) {
    list.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
  }

  function render() {
    list.replaceChildren(
      ...items.map((item, i) =>
        h("li", {
          id: `kbli-opt-${i}`,
          role: "option",
          "aria-selected": i === active ? "true" : "false",
          "aria-disabled": item.in_plan ? null : "true",
          "data-kode": item.kode,
          onmousedown: (e) => e.preventDefault(), // keep focus in the input
          onclick: () => item.in_plan && choose(item),
        },
        h("span", { class: "code" }, item.kode), item.judul,
        item.frasa ? h("span", { class: "note phrase" }, t("pc.kbli.phrase", { frasa: item.frasa })) : null,
        h("span", { class: "note" }, item.in_plan
          ? t("pc.kbli.row", { kegiatan: item.kegiatan || item.kode_kegiatan })
          : t("pc.kbli.not_in_plan")))
      )
    );
    if (!items.length) list.append(h("li", { "aria-disabled": "true" }, t("pc.kbli.none")));
    if (active >= 0) input.setAttribute("aria-activedescendant", `kbli-opt-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(item) {
    chosenText = `${item.kode} — ${item.judul}`.replace(/ — $/, "");
    input.value = chosenText;
    items = [];
    active = -1;
    open(false);
    onChoose(item);
  }

  async function chooseCode(code) {
    const found = (await search(code)).find((i) => i.kode === code);
    choose(found || { kode: code, judul: "" });
  }

  input.addEventListener("input", () => {
    if (chosenText && input.value !== chosenText) {
      chosenText = "";
      onClear();
    }
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) {
      open(false);
      return;
    }
    timer = setTimeout(async () => {
      items = await search(q);
      active = items.findIndex((i) => i.in_plan);
      render();
      open(true);
    }, 150);
  });

  input.addEventListener("keydown", (e) => {
    if (list.hidden || !items.length) return;
    const step = { ArrowDown: 1, ArrowUp: -1 }[e.key];
    if (step) {
      e.preventDefault();
      active = (active + step + items.length) % items.length;
      render();
      document.getElementById(`kbli-opt-${active}`)?.scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0 && items[active].in_plan) choose(items[active]);
    } else if (e.key === "Escape") {
      open(false);
    }
  });
  input.addEventListener("blur", () => setTimeout(() => open(false), 150));

  return { choose, chooseCode };
}
