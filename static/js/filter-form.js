/* The agreement list's filter form (tradepacts/filter_form.py), enhanced. Loaded with
   `defer` through the country picker's form media; the page works without it.

   1. On a narrow screen the form folds into its <details> ("Filter agreements (2 active)"), so the
      results start near the top; never while it shows errors to correct. (With filters set it is
      served folded on every screen.)
   2. The Parties checkboxes (agreements/country_picker.py) become a text box that filters the
      countries as you type (the ARIA combobox pattern: arrow keys, Enter adds, Escape closes) and
      the chosen countries show as chips ("Remove Kenya"), announced in a live region. The
      checkboxes, hidden, stay the form's values: the URL is ?party=RWA&party=KEN either way.
   3. The form submits only what the analyst set: no empty field (?q=lome, not ?q=lome&bloc=&
      signed_from=&...) and no value the list applies anyway (the form's data-defaults: match=all,
      sort=newest), so the address reads as the query. Without the script the form sends every
      field, which gives the same list. */
(() => {
  "use strict";

  const NARROW = "(max-width: 39.99rem)";

  function foldOnNarrowScreens() {
    const narrow = window.matchMedia(NARROW);
    for (const fold of document.querySelectorAll(".filters__fold")) {
      if (fold.hasAttribute("data-errors")) continue;
      if (narrow.matches) fold.open = false;
      narrow.addEventListener("change", (event) => {
        // Wide again: as served, open unless filters are set (tradepacts/filter_form.py).
        if (!event.matches) fold.open = !fold.hasAttribute("data-active");
      });
    }
  }

  // Accents folded and case ignored: "cote" finds Côte d'Ivoire, "turkiye" Türkiye.
  const folded = (text) =>
    text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();

  function element(tag, attributes = {}, text = "") {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  class CountryPicker {
    constructor(root) {
      this.root = root;
      this.id = root.id || "country-picker";
      this.max = Number.parseInt(root.dataset.max, 10) || Number.POSITIVE_INFINITY;
      this.boxes = [...root.querySelectorAll('input[type="checkbox"]')];
      this.chosenList = root.querySelector("[data-chosen] ul");
      // The list's order: current countries, then historic ones, each by name (the chosen ones
      // come first among the boxes, in the order they were chosen).
      this.countries = this.boxes
        .map((box) => ({
          code: box.value,
          name: box.dataset.name,
          historic: box.hasAttribute("data-historic"),
          key: folded(box.dataset.name),
          box,
        }))
        .sort((a, b) => a.historic - b.historic || a.key.localeCompare(b.key));
      for (const country of this.countries) country.words = country.key.split(/[\s,()'’-]+/);
      this.byCode = new Map(this.countries.map((country) => [country.code, country]));
      this.matches = [];
      this.active = -1;
      this.build();
      this.renderChips();
    }

    build() {
      const search = `${this.id}_search`;
      this.chips = element("ul", { class: "country-picker__chips", "aria-label": "Chosen countries" });
      const combo = element("div", { class: "country-picker__combo" });
      const label = element("label", { for: search, class: "country-picker__label" }, "Add a country");
      this.input = element("input", {
        id: search,
        type: "text",
        class: "country-picker__input",
        role: "combobox",
        "aria-autocomplete": "list",
        "aria-expanded": "false",
        "aria-controls": `${this.id}_listbox`,
        autocomplete: "off",
        autocapitalize: "none",
        spellcheck: "false",
        placeholder: "Type a name or a code",
      });
      const described = [this.root.closest("fieldset")?.getAttribute("aria-describedby"), `${this.id}_error`]
        .flatMap((ids) => (ids ? ids.split(" ") : []))
        .filter((id) => document.getElementById(id));
      if (described.length) this.input.setAttribute("aria-describedby", described.join(" "));
      if (this.root.getAttribute("aria-invalid") === "true") this.input.setAttribute("aria-invalid", "true");
      this.listbox = element("ul", {
        id: `${this.id}_listbox`,
        role: "listbox",
        class: "country-picker__listbox",
        "aria-label": "Countries",
        "aria-multiselectable": "true",
      });
      this.listbox.hidden = true;
      this.status = element("p", { class: "visually-hidden", role: "status" });
      combo.append(label, this.input, this.listbox);
      // The chips under the text box: the open list covers them, and an added one moves nothing it shows.
      this.root.prepend(combo, this.chips, this.status);
      this.root.querySelector(".country-picker__boxes").hidden = true;
      this.root.classList.add("country-picker--enhanced");

      this.input.addEventListener("input", () => this.typed());
      this.input.addEventListener("keydown", (event) => this.key(event));
      this.input.addEventListener("click", () => (this.isOpen() ? this.close() : this.show()));
      this.input.addEventListener("blur", () => this.close());
      // A press on the list keeps the focus in the text box (the list would close on its blur).
      this.listbox.addEventListener("mousedown", (event) => event.preventDefault());
      this.listbox.addEventListener("click", (event) => this.clicked(event));
      this.chips.addEventListener("click", (event) => this.chipClicked(event));
    }

    // --- what matches

    search(text) {
      const query = folded(text.trim());
      if (!query) return this.countries.slice();
      const ranked = [];
      for (const country of this.countries) {
        let rank;
        if (country.code.toLowerCase() === query) rank = 0;
        else if (country.key.startsWith(query)) rank = 1;
        else if (country.words.some((word) => word.startsWith(query))) rank = 2;
        else if (country.key.includes(query)) rank = 3;
        else continue;
        ranked.push({ rank, country });
      }
      // Stable: within a rank, current countries before historic ones, each by name.
      ranked.sort((a, b) => a.rank - b.rank || a.country.historic - b.country.historic);
      return ranked.map(({ country }) => country);
    }

    chosen() {
      // In the boxes' order now (add() moves each new one last), which is the URL's.
      const checked = this.root.querySelectorAll('input[type="checkbox"]:checked');
      return [...checked].map((box) => this.byCode.get(box.value));
    }

    // --- the list

    isOpen() {
      return !this.listbox.hidden;
    }

    show(matches = this.search(this.input.value)) {
      this.matches = matches;
      this.active = -1;
      this.input.removeAttribute("aria-activedescendant");
      const options = matches.map((country, index) => {
        const option = element("li", {
          id: `${this.id}_option_${country.code}`,
          role: "option",
          class: "country-picker__option",
          "aria-selected": String(country.box.checked),
          "data-index": String(index),
        });
        option.append(
          element("span", { class: "country-picker__name" }, country.name),
          element("span", { class: "country-picker__code" }, country.historic ? `${country.code}, historic` : country.code),
        );
        return option;
      });
      if (!options.length) {
        options.push(
          element(
            "li",
            { role: "option", "aria-disabled": "true", class: "country-picker__none" },
            `No country matches “${this.input.value.trim()}”`,
          ),
        );
      }
      this.listbox.replaceChildren(...options);
      this.listbox.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
    }

    close() {
      this.listbox.hidden = true;
      this.active = -1;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
    }

    setActive(index) {
      this.active = index;
      for (const option of this.listbox.querySelectorAll("[data-index]")) {
        option.classList.toggle("country-picker__option--active", Number(option.dataset.index) === index);
      }
      if (index < 0) {
        this.input.removeAttribute("aria-activedescendant");
        return;
      }
      const option = this.listbox.querySelector(`[data-index="${index}"]`);
      this.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    // --- what the analyst does

    typed() {
      if (!this.input.value.trim()) {
        this.close();
        return;
      }
      this.show();
      const count = this.matches.length;
      this.announce(
        count
          ? `${count} ${count === 1 ? "country matches" : "countries match"}. Enter adds ${this.matches[0].name}; the arrow keys go through the list.`
          : `No country matches “${this.input.value.trim()}”.`,
      );
    }

    key(event) {
      const last = this.matches.length - 1;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!this.isOpen()) {
            this.show();
            if (event.altKey) return;
          }
          this.setActive(Math.min(this.active + 1, this.matches.length - 1));
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!this.isOpen()) this.show();
          this.setActive(this.active < 0 ? last : this.active - 1);
          break;
        case "Enter": {
          const text = this.input.value.trim();
          if (!text && !this.isOpen()) return; // an empty box: Enter submits the form
          event.preventDefault();
          if (!this.isOpen()) this.show();
          const target = this.active >= 0 ? this.matches[this.active] : text ? this.matches[0] : null;
          if (target) {
            this.toggle(target);
            this.input.value = "";
          }
          this.close();
          break;
        }
        case "Escape":
          if (this.isOpen()) {
            event.preventDefault();
            this.close();
          } else if (this.input.value) {
            event.preventDefault();
            this.input.value = "";
          }
          break;
        case "Tab":
          this.close();
          break;
        default:
      }
    }

    clicked(event) {
      const option = event.target.closest("[data-index]");
      if (!option) return;
      this.toggle(this.matches[Number(option.dataset.index)]);
      if (this.input.value.trim()) {
        // Chosen from what was typed: ready for the next name.
        this.input.value = "";
        this.close();
      } else {
        option.setAttribute("aria-selected", String(this.matches[Number(option.dataset.index)].box.checked));
      }
    }

    chipClicked(event) {
      const chip = event.target.closest("button[data-code]");
      if (!chip) return;
      const chips = [...this.chips.querySelectorAll("button")];
      const position = chips.indexOf(chip);
      this.remove(this.byCode.get(chip.dataset.code));
      // The focus goes to the chip that took its place, else the one before, else the text box.
      const left = [...this.chips.querySelectorAll("button")];
      (left[position] || left[position - 1] || this.input).focus();
    }

    toggle(country) {
      if (country.box.checked) this.remove(country);
      else this.add(country);
    }

    add(country) {
      const chosen = this.chosen();
      if (chosen.length >= this.max) {
        this.announce(`At most ${this.max} countries: remove one before adding ${country.name}.`);
        return;
      }
      country.box.checked = true;
      // Last among the chosen boxes, so the URL lists the countries in the order chosen.
      this.chosenList?.append(country.box.closest("li"));
      this.renderChips();
      this.announce(`${country.name} added. ${this.summary()}`);
    }

    remove(country) {
      country.box.checked = false;
      this.renderChips();
      this.announce(`${country.name} removed. ${this.summary()}`);
    }

    summary() {
      const chosen = this.chosen();
      if (!chosen.length) return "No country chosen.";
      const names = chosen.map((country) => country.name).join(", ");
      return `${chosen.length} ${chosen.length === 1 ? "country" : "countries"} chosen: ${names}.`;
    }

    renderChips() {
      const chips = this.chosen().map((country) => {
        const chip = element("button", { type: "button", class: "country-picker__chip", "data-code": country.code });
        chip.append(
          element("span", { class: "visually-hidden" }, "Remove "),
          country.historic ? `${country.name} (historic)` : country.name,
          element("span", { class: "country-picker__x", "aria-hidden": "true" }, "×"),
        );
        const item = element("li");
        item.append(chip);
        return item;
      });
      this.chips.replaceChildren(...chips);
      this.chips.hidden = !chips.length;
    }

    announce(text) {
      this.status.textContent = text;
    }
  }

  // The form's entries without the empty ones and the defaults. The browser then goes to the
  // address itself: disabling the empty controls before a plain submission would leave them
  // disabled when the analyst comes Back to the page (the back-forward cache keeps it as it was).
  function submitOnlyWhatIsSet(form) {
    const defaults = new URLSearchParams(form.dataset.defaults || "");
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return;
      const query = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (typeof value !== "string" || !value.trim() || defaults.get(name) === value) continue;
        query.append(name, value);
      }
      event.preventDefault();
      const action = new URL(form.action);
      action.search = query.toString();
      window.location.assign(action.href);
    });
  }

  foldOnNarrowScreens();
  for (const form of document.querySelectorAll("form.filters")) submitOnlyWhatIsSet(form);
  for (const root of document.querySelectorAll(".country-picker")) new CountryPicker(root);
})();
