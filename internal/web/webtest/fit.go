package webtest

import "strconv"

// Checks that a page fits its screen, for the phone-width tests.

// PageWidth is the width of the page's content in CSS pixels
// (document.documentElement.scrollWidth): more than the viewport means the
// reader must scroll sideways.
func (b *Browser) PageWidth() int {
	b.T.Helper()
	return Eval[int](b, `document.documentElement.scrollWidth`)
}

// WiderThan names the visible elements of the page whose right edge is
// beyond width (at most 5, innermost first), to say what makes a page
// overflow.
func (b *Browser) WiderThan(width int) []string {
	b.T.Helper()
	return Eval[[]string](b, `(function (w) {
		var out = [];
		function scrolledInside(el) { // a scrolling box keeps its overflow to itself
			for (var a = el.parentElement; a && a !== document.body; a = a.parentElement) {
				if (getComputedStyle(a).overflowX !== "visible") return true;
			}
			return false;
		}
		document.querySelectorAll("body *").forEach(function (el) {
			var r = el.getBoundingClientRect();
			if (r.width === 0 || r.right <= w + 0.5 || scrolledInside(el)) return;
			for (var c = el.firstElementChild; c; c = c.nextElementSibling) {
				if (c.getBoundingClientRect().right > w + 0.5) return; // a child says it better
			}
			var name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
			out.push(name + " (right edge " + Math.round(r.right) + " px)");
		});
		return out.slice(0, 5);
	})(`+strconv.Itoa(width)+`)`)
}

// CutPlaceholders lists the fields of the page whose placeholder is wider
// than the box that shows it, as "id: placeholder".
func (b *Browser) CutPlaceholders() []string {
	b.T.Helper()
	return Eval[[]string](b, `(function () {
		var out = [], ctx = document.createElement("canvas").getContext("2d");
		document.querySelectorAll("input[placeholder], textarea[placeholder]").forEach(function (el) {
			if (!el.placeholder || el.getClientRects().length === 0) return;
			var s = getComputedStyle(el);
			ctx.font = s.font;
			var room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
			if (el.type === "search") room -= 16; // the clear button's place
			if (ctx.measureText(el.placeholder).width > room + 0.5) out.push((el.id || el.name) + ": " + el.placeholder);
		});
		return out;
	})()`)
}
