// The monthly report's print button: the browser's print dialog, where
// "Save as PDF" makes the report's PDF.
document.addEventListener('DOMContentLoaded', () => {
  const b = document.querySelector('[data-print]');
  if (b) b.addEventListener('click', () => window.print());
});
