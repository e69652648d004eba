/// <reference lib="dom" />
import { chromium, Browser, Page } from 'playwright-core';
import { mapLimit, range, startLab, StartedLab } from '../tools/kit';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumAvailable } from './support/chromium';
import { labCall, Shopper } from './support/shopper';

/*
 * The status page (GET /lab) in headless Chromium against a real stateful lab guarded by
 * LAB_ADMIN_TOKEN: it asks for the token, shows every replica with the sessions it holds, and
 * its buttons crash a replica (which restarts empty: its count falls) and set faults.
 */

const TOKEN = 'status-page-admin-token';
const suite = chromiumAvailable ? describe : describe.skip;

suite(chromiumAvailable ? 'the status page in headless Chromium' : `the status page (skipped: ${CHROMIUM} not found)`, () => {
  let lab: StartedLab;
  let browser: Browser;
  let page: Page;

  const heldBy = async (id: string) => Number(await page.locator(`tr[data-replica="${id}"] [data-field="held"]`).textContent());

  beforeAll(async () => {
    lab = await startLab({ mode: 'stateful', env: { LAB_ADMIN_TOKEN: TOKEN } });
    await mapLimit(range(30), 6, async (i) => {
      const login = await new Shopper(lab.url, `user${500 + i}`).login();
      if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_FLAGS],
    });
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  it('loads without the token, asks for it, then shows the mode and every replica with the sessions it holds', async () => {
    const response = await page.goto(`${lab.url}/lab`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#token-form').waitFor({ state: 'visible', timeout: 10_000 });
    await page.fill('#token', TOKEN);
    await page.click('#token-form button');
    await page.waitForSelector('body[data-loaded="yes"]', { timeout: 10_000 });
    expect(await page.locator('#meta').textContent()).toBe('mode stateful · routing sticky-ring');
    for (const id of ['user-1', 'user-2', 'user-3', 'cart-1', 'product-3']) {
      expect(await page.locator(`tr[data-replica="${id}"] [data-field="health"]`).textContent()).toBe('up');
    }
    // Every login made one session on one user replica: the page adds up to all of them.
    await page.waitForFunction(
      () =>
        ['user-1', 'user-2', 'user-3'].reduce(
          (sum, id) => sum + Number(document.querySelector(`tr[data-replica="${id}"] [data-field="held"]`)?.textContent || 0),
          0,
        ) === 30,
      undefined,
      { timeout: 10_000 },
    );
  });

  it('crashes a replica from its button: it comes back under a new pid and empty, its sessions gone', async () => {
    const before = await heldBy('user-1');
    expect(before).toBeGreaterThan(0);
    const pidBefore = await page.locator('tr[data-replica="user-1"] [data-field="pid"]').textContent();
    await page.click('tr[data-replica="user-1"] button[data-action="crash"]');
    await page.waitForFunction(
      (pid) => {
        const row = document.querySelector('tr[data-replica="user-1"]');
        return row?.querySelector('[data-field="health"]')?.textContent === 'up' && row.querySelector('[data-field="pid"]')?.textContent !== pid;
      },
      pidBefore,
      { timeout: 20_000 },
    );
    await page.waitForFunction(() => document.querySelector('tr[data-replica="user-1"] [data-field="held"]')?.textContent === '0', undefined, {
      timeout: 10_000,
    });
    expect(lab.lab.restarts('user-1')).toBe(1);
  });

  it('sets a fault from its row and turns every fault off from its button', async () => {
    const row = page.locator('tr[data-fault="latency.cart"]');
    await row.locator('select').selectOption('50');
    await row.locator('button[data-action="set-fault"]').click();
    await page.waitForFunction(() => document.querySelector('tr[data-fault="latency.cart"] [data-field="value"]')?.textContent === '50 ms', undefined, {
      timeout: 10_000,
    });
    const faults = await labCall(lab.url, 'GET', '/lab/faults', undefined, TOKEN);
    expect(faults.body.faults.find((f: { name: string }) => f.name === 'latency.cart').value).toBe(50);
    await page.click('#reset-faults');
    await page.waitForFunction(() => document.querySelector('tr[data-fault="latency.cart"] [data-field="value"]')?.textContent === 'off', undefined, {
      timeout: 10_000,
    });
  });

  it('rescales a service from its form', async () => {
    await page.fill('form[data-service="cart"] input', '2');
    await page.click('form[data-service="cart"] button');
    await page.waitForFunction(() => document.querySelector('tr[data-replica="cart-3"] td')?.className === 'inactive', undefined, { timeout: 20_000 });
    const topology = await labCall(lab.url, 'GET', '/lab/topology', undefined, TOKEN);
    expect(topology.body.services.cart.filter((r: { active: boolean }) => r.active).map((r: { id: string }) => r.id)).toEqual(['cart-1', 'cart-2']);
  });
});
