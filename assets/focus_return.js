// Dialogs opened from server state (no Radix Trigger to return to) drop the focus to <body>
// when they close, and a keyboard user starts again at the top of the page. Remember the last
// control focused outside any dialog and give the focus back to it when a dialog goes away.
(() => {
  const DIALOG = '[role="dialog"], [role="alertdialog"]';
  let opener = null;
  document.addEventListener("focusin", (event) => {
    if (!event.target.closest(DIALOG)) opener = event.target;
  });
  const start = () => new MutationObserver((records) => {
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (!lost || !opener?.isConnected) return;
    const closed = records.some((record) => [...record.removedNodes].some(
      (node) => node.nodeType === Node.ELEMENT_NODE && (node.matches(DIALOG) || node.querySelector(DIALOG))));
    if (closed) opener.focus();
  }).observe(document.body, { childList: true, subtree: true });
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
