import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { MercadoPagoConfig, Payment } from 'mercadopago';
import { AppConfig } from 'mercadopago/dist/utils/config/index.js';
import { launchChromium } from '../../../test/helpers/browser.ts';
import { startMercadoPagoSandbox, type MercadoPagoSandbox } from './server.ts';

/*
 * The payer's ticket page in Chromium, by what a person sees: the Pix QR code and its "copia e cola", the boleto's
 * digitable line, and the sandbox's Pay button that approves the payment. Payments are made with the official SDK
 * (base URL through AppConfig, as in sandbox.test.ts).
 */

describe('Mercado Pago sandbox ticket page', () => {
  let sandbox: MercadoPagoSandbox;
  let browser: Browser;
  let payments: Payment;
  const originalBaseUrl = AppConfig.BASE_URL;

  before(async () => {
    sandbox = await startMercadoPagoSandbox();
    Object.assign(AppConfig, { BASE_URL: sandbox.url });
    payments = new Payment(new MercadoPagoConfig({ accessToken: sandbox.accessToken, options: { maxRetries: 0 } }));
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    Object.assign(AppConfig, { BASE_URL: originalBaseUrl });
    await sandbox.close();
  });

  it('shows the Pix QR code and copia e cola; Pay approves the payment', async () => {
    const pix = await payments.create({ body: { transaction_amount: 25, payment_method_id: 'pix', payer: { email: 'pagador@payrail-sandbox.com.br' } } });
    const data = pix.point_of_interaction!.transaction_data!;
    const page = await browser.newPage();
    await page.goto(data.ticket_url!);
    await page.getByRole('heading', { name: `Pagamento ${pix.id}: R$ 25,00` }).waitFor();
    const qr = page.getByRole('img', { name: 'Pix QR code' });
    const width = await qr.evaluate((element) => {
      // The PNG decoded (a broken image has no natural width).
      const image = element as unknown as { complete: boolean; naturalWidth: number };
      return image.complete ? image.naturalWidth : 0;
    });
    assert.equal(width, 256);
    assert.equal(await page.getByLabel('Pix copia e cola').inputValue(), data.qr_code);
    assert.equal(await page.getByLabel('Status').textContent(), 'pending (pending_waiting_transfer)');
    await page.getByRole('button', { name: 'Pay (sandbox)' }).click();
    await page.getByText('approved (accredited)').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Pay (sandbox)' }).count(), 0);
    assert.equal((await payments.get({ id: pix.id! })).status, 'approved');
    await page.close();
  });

  it("shows a boleto's digitable line", async () => {
    const boleto = await payments.create({
      body: {
        transaction_amount: 99.9,
        payment_method_id: 'bolbradesco',
        payer: {
          email: 'pagador@payrail-sandbox.com.br',
          first_name: 'João',
          last_name: 'Souza',
          identification: { type: 'CNPJ', number: '11.222.333/0001-81' },
          address: { zip_code: '20040002', street_name: 'Rua da Assembleia', street_number: '10', neighborhood: 'Centro', city: 'Rio de Janeiro', federal_unit: 'RJ' },
        },
      },
    });
    const page = await browser.newPage();
    await page.goto(boleto.transaction_details!.external_resource_url!);
    assert.equal(await page.getByLabel('Linha digitável').textContent(), boleto.transaction_details!.digitable_line);
    await page.close();
  });
});
