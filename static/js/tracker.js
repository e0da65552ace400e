// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  if (window.ECL && typeof window.ECL.autoInit === "function") {
    window.ECL.autoInit();
  }
});
