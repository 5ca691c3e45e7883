// Unsaved changes: a view with a form registers a check, and leaving the page (closing the tab,
// reloading) or the view (a link, Back, Forward) asks first while the check says there are any.
// The in-app half is app.js's, which asks before it renders another route.

let check = null;

function onBeforeUnload(event) {
  if (!hasUnsavedChanges()) return;
  event.preventDefault();
  event.returnValue = '';
}

/** `unsaved()` says whether the view holds changes that leaving would drop. */
export function setLeaveGuard(unsaved) {
  check = unsaved;
  window.addEventListener('beforeunload', onBeforeUnload);
}

export function clearLeaveGuard() {
  check = null;
  // Only while a form is open: a beforeunload listener keeps some browsers from caching the page.
  window.removeEventListener('beforeunload', onBeforeUnload);
}

export function hasUnsavedChanges() {
  return check?.() === true;
}
