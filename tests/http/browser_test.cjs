// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core: log in, see the seeded
// attackers, open one, watch a live event published on the bus arrive, save a screenshot.
// Env: URL, ADMIN_PW, BUS_SOCK, BUS_PUB (the http_bus_pub helper), SHOT (screenshot path), PW_MODULE.
'use strict';
const { chromium } = require(process.env.PW_MODULE);
const { execFileSync } = require('child_process');

const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: flags, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15000);
    const errors = [];
    page.on('pageerror', e => errors.push(String(e)));
    // Issue 14, findings 7-8: the page runs under CSP default-src 'self' without a violation, and no
    // request carries a token in its URL (the stream uses a single-use ticket).
    page.on('console', m => { if (/Content Security Policy/i.test(m.text())) errors.push('CSP: ' + m.text()); });
    page.on('request', r => { if (r.url().includes('access_token')) errors.push('token in URL: ' + r.url()); });
    const first = await page.request.get(process.env.URL + '/');
    const csp = first.headers()['content-security-policy'] || '';
    if (!csp.includes("default-src 'self'")) throw new Error('no CSP on the dashboard: "' + csp + '"');
    await page.goto(process.env.URL + '/');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', process.env.ADMIN_PW);
    await page.click('#login-button');
    await page.waitForSelector('#stat-attackers');
    const count = await page.textContent('#stat-attackers .n');
    console.log('overview: attackers counter = ' + count);
    if (Number(count) < 1) throw new Error('overview shows no attackers');

    await page.goto(process.env.URL + '/#/attackers');
    await page.waitForSelector('tr.click');
    const rows = await page.$$('tr.click');
    console.log('attackers page: ' + rows.length + ' rows');
    if (rows.length < 1) throw new Error('no attacker rows');
    const ip = await rows[0].getAttribute('data-ip');
    await rows[0].click();
    await page.waitForSelector('#attacker-title');
    const title = await page.textContent('#attacker-title');
    if (!title.includes(ip)) throw new Error('detail page title "' + title + '" does not show ' + ip);
    console.log('detail page: ' + title);

    await page.goto(process.env.URL + '/#/live');
    await page.waitForSelector('#live-rows', { state: 'attached' });
    await page.waitForFunction(() => document.getElementById('live-status').textContent.includes('live'));
    const marker = '203.0.113.' + (1 + Math.floor(Math.random() * 250));
    execFileSync(process.env.BUS_PUB, [process.env.BUS_SOCK, 'attacker.observed',
      JSON.stringify({ ip: marker, note: 'published by the browser test' })]);
    await page.waitForFunction(m => document.getElementById('live-rows').textContent.includes(m), marker);
    console.log('live events: row for ' + marker + ' appeared without reload (stream opened with a ticket)');
    await page.screenshot({ path: process.env.SHOT, fullPage: true });
    console.log('SCREENSHOT: ' + process.env.SHOT);

    await page.goto(process.env.URL + '/#/workers');
    await page.waitForSelector('#fleet-pss');
    await page.screenshot({ path: process.env.SHOT.replace(/\.png$/, '-workers.png'), fullPage: true });
    console.log('SCREENSHOT: ' + process.env.SHOT.replace(/\.png$/, '-workers.png'));
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error('FAIL: ' + e.message); process.exit(1); });
