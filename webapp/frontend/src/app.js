// Loaded by every page: Bootstrap's components, htmx, and two small page helpers.
import './app.css';
import bootstrap from 'bootstrap/dist/js/bootstrap.bundle.js';
import htmx from 'htmx.org';

// Inline scripts and htmx extensions look for these globals.
window.bootstrap = bootstrap;
window.htmx = htmx;

// Flask-WTF checks X-CSRFToken on unsafe requests; the base template puts the
// token in <meta name="csrf-token">, read per request so a swapped-in token wins.
document.addEventListener('htmx:configRequest', (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers['X-CSRFToken'] = meta.content;
  }
});

// Marks the nav link for the current page: the longest href that is the path
// itself or a parent of it, so /cases/42 highlights "Cases" but "/" only on /.
function markActiveNavLink() {
  const links = document.querySelectorAll('nav a.nav-link[href]');
  const path = window.location.pathname;
  let best = null;
  let bestLength = -1;
  for (const link of links) {
    const url = new URL(link.getAttribute('href'), window.location.href);
    if (url.origin !== window.location.origin) continue;
    const base = url.pathname.replace(/\/$/, '');
    const matches = url.pathname === path || (base !== '' && path.startsWith(base + '/'));
    if (matches && base.length > bestLength) {
      best = link;
      bestLength = base.length;
    }
  }
  for (const link of links) {
    const isActive = link === best;
    link.classList.toggle('active', isActive);
    if (isActive) {
      link.setAttribute('aria-current', 'page');
    } else if (link.getAttribute('aria-current') === 'page') {
      link.removeAttribute('aria-current');
    }
  }
}

document.addEventListener('DOMContentLoaded', markActiveNavLink);
// hx-boost and hx-push-url change the address without a page load.
document.addEventListener('htmx:pushedIntoHistory', markActiveNavLink);
document.addEventListener('htmx:replacedInHistory', markActiveNavLink);
document.addEventListener('htmx:historyRestore', markActiveNavLink);
