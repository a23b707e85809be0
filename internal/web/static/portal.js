// The portal works without this file: it only installs the service
// worker that keeps the portal's pages for offline reading.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}

// A long <select data-filter="…"> (the wards) gets a box above it that
// narrows its options as one types, with or without diacritics
// ("thu dau" finds "Thủ Dầu Một"). Without script the whole list stays.
(function () {
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  document.querySelectorAll("select[data-filter]").forEach((select) => {
    const all = Array.from(select.options).map((o) => ({ o, text: fold(o.text) }));
    const box = document.createElement("input");
    box.type = "search";
    box.id = select.id + "-filter";
    box.className = "filter";
    box.placeholder = select.dataset.filter;
    box.setAttribute("aria-label", select.dataset.filter);
    box.setAttribute("aria-controls", select.id);
    select.before(box);
    box.addEventListener("input", () => {
      const words = fold(box.value).split(/\s+/).filter(Boolean);
      const was = select.value;
      const keep = all.filter(({ o, text }) => o.value === "" || words.every((w) => text.includes(w)));
      select.replaceChildren(...keep.map(({ o }) => o));
      const found = keep.filter(({ o }) => o.value !== "");
      // One ward left: it is the one; otherwise keep the choice if still listed.
      select.value = found.length === 1 ? found[0].o.value : found.some(({ o }) => o.value === was) ? was : "";
    });
  });
})();
