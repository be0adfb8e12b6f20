// The lab user's browser: Debian's chromium, headless, driven by playwright-core through the
// authorization server's own pages (device code confirmation, login, consent).
//
//   node browser.mjs [--login LOGIN] [--deny] URL      (as $BROWSER: the URL comes last)
//
// Opens URL (an authorization request, or a device verification_uri_complete), signs in as
// LOGIN (default alice@saslkit.test; the lab server takes any password), then approves the
// consent, or cancels it with --deny. Stops when the browser reaches the host of the URL's
// redirect_uri (the client's loopback listener), or a page saying the sign-in succeeded or
// failed. Prints one line on stderr: "done URL-without-query" or "done page-title"; exits 1 on
// a page it does not know. Never prints a code or token.
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    deny: { type: 'boolean', default: false },
    login: { type: 'string', default: 'alice@saslkit.test' },
  },
});
const [url] = positionals;
if (!url) {
  console.error('usage: browser.mjs [--login LOGIN] [--deny] URL');
  process.exit(2);
}
const { login } = opts;
const redirect = new URL(url).searchParams.get('redirect_uri');
const untilHost = redirect ? new URL(redirect).host : undefined;

const profile = mkdtempSync(join(tmpdir(), 'saslkit-chromium-'));
// A fresh, empty profile each time (playwright passes it as --user-data-dir).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let status = 1;
try {
  const page = browser.pages()[0] || await browser.newPage();
  page.setDefaultTimeout(15000);
  const atClient = () => untilHost && new URL(page.url()).host === untilHost;
  await page.goto(url);
  for (let step = 0; step < 10; step += 1) {
    if (atClient()) {
      const u = new URL(page.url());
      console.error(`done ${u.origin}${u.pathname}`);
      status = 0;
      break;
    }
    const title = await page.title();
    if (/Success|Error|Failure/i.test(title)) {
      console.error(`done ${title}`);
      status = 0;
      break;
    }
    const before = page.url();
    const navigated = page.waitForNavigation({ waitUntil: 'load' }).catch(() => {});
    if (await page.locator('input[name=login]').count()) {
      await page.fill('input[name=login]', login);
      await page.fill('input[name=password]', 'any-password');
      await page.click('button[type=submit]');
    } else if (opts.deny && await page.locator('a:has-text("Cancel")').count()) {
      await page.click('a:has-text("Cancel")');
    } else if (await page.locator('button[type=submit]').count()) {
      await page.locator('button[type=submit]').first().click();
    } else {
      console.error(`unknown page: ${title}`);
      break;
    }
    await navigated;
    if (page.url() === before && !(await page.title())) await page.waitForLoadState('load');
  }
} catch (err) {
  console.error(`browser: ${err.message.split('\n')[0]}`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(status);
