import type { CheckoutLocale } from './page-texts.ts';

/**
 * What the hosted page says about the local payment methods (the choice of method, each method's fields, the SEPA
 * mandate, the Pix and boleto instructions). English, German, Dutch, Polish and Portuguese (the languages of the
 * methods' own countries and the common one); the page's other languages use the English words for these.
 */
export interface LocalMethodTexts {
  card: string; paymentMethod: string; chooseMethod: string; choose: string; required: string; fullName: string; bank: string; bankOptional: string; anyBank: string;
  iban: string; ibanInvalid: string; taxId: string; taxIdInvalid: string; vpa: string; vpaInvalid: string; blikCode: string; blikCodeInvalid: string;
  line1: string; city: string; state: string; postalCode: string; country: string; emailRequired: string;
  /** `{merchant}` is the account's name. */
  sepaMandate: string;
  redirectNote: string; blikNote: string; upiNote: string; pixNote: string; boletoNote: string;
  pixTitle: string; pixText: string; pixCopy: string; pixOpen: string; pixExpires: string;
  boletoTitle: string; boletoText: string; boletoNumber: string; boletoOpen: string; boletoPdf: string;
  processingTitle: string; blikProcessing: string; sepaProcessing: string; upiProcessing: string; returnToMerchant: string;
  testHints: Partial<Record<string, string>>;
}

const en: LocalMethodTexts = {
  card: 'Card',
  paymentMethod: 'Payment method', chooseMethod: 'Choose a payment method.', choose: 'Choose one.', required: 'Fill in this field.', fullName: 'Full name',
  bank: 'Bank', bankOptional: 'Bank (optional)', anyBank: 'Choose on the next page', iban: 'IBAN', ibanInvalid: 'Enter a valid IBAN.',
  taxId: 'CPF or CNPJ', taxIdInvalid: 'Enter a valid CPF (11 digits) or CNPJ (14 digits).', vpa: 'UPI ID (VPA)', vpaInvalid: 'Enter a UPI ID such as name@bank.',
  blikCode: 'BLIK code (6 digits)', blikCodeInvalid: 'Enter the 6-digit code from your banking app.', line1: 'Address', city: 'City', state: 'State',
  postalCode: 'Postal code', country: 'Country', emailRequired: 'This payment method needs your email address.',
  sepaMandate: 'By providing your IBAN and confirming this payment, you authorise {merchant} and Payrail, its payment service provider, to send instructions to your bank to debit your account, and your bank to debit your account in accordance with those instructions. You are entitled to a refund from your bank under the terms and conditions of your agreement with it; a refund must be claimed within 8 weeks of the date on which your account was debited.',
  redirectNote: 'After you select Pay, you will be taken to your bank to approve the payment, then brought back here.',
  blikNote: 'Get a 6-digit BLIK code from your banking app, enter it here, then approve the payment in the app.',
  upiNote: 'After you select Pay, approve the payment request in your UPI app.',
  pixNote: 'After you select Pay, you will see a Pix QR code to pay from your banking app.',
  boletoNote: 'After you select Pay, you will get a boleto to pay at a bank, a lottery outlet or in your banking app within a few days.',
  pixTitle: 'Pay with Pix', pixText: 'Scan the QR code with your banking app, or copy the Pix code and paste it there. This page moves on once the payment arrives.',
  pixCopy: 'Pix code (copia e cola)', pixOpen: 'Open the payment instructions', pixExpires: 'The code expires at',
  boletoTitle: 'Your boleto', boletoText: 'Pay this boleto by its due date at a bank, a lottery outlet or in your banking app. The merchant will be told once it is paid.',
  boletoNumber: 'Boleto number', boletoOpen: 'View the boleto', boletoPdf: 'Download the boleto (PDF)',
  processingTitle: 'Payment in progress', blikProcessing: 'Approve the payment in your banking app. The merchant will be told once your bank confirms it.',
  sepaProcessing: 'Your bank account will be debited. The merchant will be told once the debit goes through, which takes a few days.',
  upiProcessing: 'Approve the payment request in your UPI app. The merchant will be told once it is paid.', returnToMerchant: 'Return to the merchant',
  testHints: {
    sepa_debit: 'Test mode: AT611904300234573201 is debited; DE62370400440532013001 fails (insufficient funds).',
    blik: 'Test mode: any 6-digit code; an email ending in insufficient_funds@… is declined, invalid_code@… refused at once.',
    upi: 'Test mode: success@razorpay pays; failure@razorpay fails.',
    boleto: 'Test mode: CPF 000.000.000-00 works here.',
  },
};

const de: LocalMethodTexts = {
  ...en,
  card: 'Karte',
  paymentMethod: 'Zahlungsart', chooseMethod: 'Wählen Sie eine Zahlungsart.', choose: 'Bitte auswählen.', required: 'Füllen Sie dieses Feld aus.', fullName: 'Vollständiger Name',
  bank: 'Bank', bankOptional: 'Bank (optional)', anyBank: 'Auf der nächsten Seite wählen', ibanInvalid: 'Geben Sie eine gültige IBAN ein.', blikCode: 'BLIK-Code (6 Ziffern)',
  line1: 'Adresse', city: 'Ort', state: 'Bundesland', postalCode: 'Postleitzahl', country: 'Land', emailRequired: 'Diese Zahlungsart benötigt Ihre E-Mail-Adresse.',
  sepaMandate: 'Mit der Angabe Ihrer IBAN und der Bestätigung dieser Zahlung ermächtigen Sie {merchant} und Payrail, seinen Zahlungsdienstleister, Ihrer Bank Weisungen zur Belastung Ihres Kontos zu erteilen, und Ihre Bank, Ihr Konto gemäß diesen Weisungen zu belasten. Sie können innerhalb von 8 Wochen ab dem Belastungsdatum die Erstattung des belasteten Betrages verlangen; es gelten die mit Ihrer Bank vereinbarten Bedingungen.',
  redirectNote: 'Nach „Bezahlen“ werden Sie zu Ihrer Bank weitergeleitet, um die Zahlung zu bestätigen, und danach hierher zurückgebracht.',
  processingTitle: 'Zahlung in Bearbeitung', sepaProcessing: 'Ihr Konto wird belastet. Der Händler wird informiert, sobald die Lastschrift durchgeführt ist; das dauert einige Tage.',
  returnToMerchant: 'Zurück zum Händler',
};

const nl: LocalMethodTexts = {
  ...en,
  card: 'Kaart',
  paymentMethod: 'Betaalmethode', chooseMethod: 'Kies een betaalmethode.', choose: 'Maak een keuze.', required: 'Vul dit veld in.', fullName: 'Volledige naam',
  bank: 'Bank', bankOptional: 'Bank (optioneel)', anyBank: 'Kies op de volgende pagina', ibanInvalid: 'Vul een geldige IBAN in.', line1: 'Adres', city: 'Plaats',
  postalCode: 'Postcode', country: 'Land', redirectNote: 'Na Betalen gaat u naar uw bank om de betaling goed te keuren, en daarna terug naar deze pagina.',
  processingTitle: 'Betaling wordt verwerkt', returnToMerchant: 'Terug naar de verkoper',
};

const pl: LocalMethodTexts = {
  ...en,
  card: 'Karta',
  paymentMethod: 'Metoda płatności', chooseMethod: 'Wybierz metodę płatności.', choose: 'Wybierz.', required: 'Wypełnij to pole.', fullName: 'Imię i nazwisko',
  bank: 'Bank', bankOptional: 'Bank (opcjonalnie)', anyBank: 'Wybierz na następnej stronie', blikCode: 'Kod BLIK (6 cyfr)', blikCodeInvalid: 'Wpisz 6-cyfrowy kod z aplikacji bankowej.',
  blikNote: 'Wygeneruj 6-cyfrowy kod BLIK w aplikacji bankowej, wpisz go tutaj, a następnie potwierdź płatność w aplikacji.',
  redirectNote: 'Po wybraniu Zapłać przejdziesz do swojego banku, aby zatwierdzić płatność, a potem wrócisz tutaj.',
  processingTitle: 'Płatność w toku', blikProcessing: 'Potwierdź płatność w aplikacji bankowej. Sprzedawca otrzyma informację, gdy bank ją potwierdzi.', returnToMerchant: 'Wróć do sprzedawcy',
};

const pt: LocalMethodTexts = {
  ...en,
  card: 'Cartão',
  paymentMethod: 'Forma de pagamento', chooseMethod: 'Escolha uma forma de pagamento.', choose: 'Escolha uma opção.', required: 'Preencha este campo.', fullName: 'Nome completo',
  taxId: 'CPF ou CNPJ', taxIdInvalid: 'Informe um CPF (11 dígitos) ou CNPJ (14 dígitos) válido.', line1: 'Endereço', city: 'Cidade', state: 'Estado', postalCode: 'CEP', country: 'País',
  emailRequired: 'Esta forma de pagamento precisa do seu e-mail.',
  pixNote: 'Depois de Pagar, você verá um QR code Pix para pagar pelo app do seu banco.',
  boletoNote: 'Depois de Pagar, você receberá um boleto para pagar em um banco, lotérica ou pelo app do seu banco em alguns dias.',
  pixTitle: 'Pague com Pix', pixText: 'Leia o QR code com o app do seu banco, ou copie o código Pix e cole lá. Esta página continua assim que o pagamento chegar.',
  pixCopy: 'Código Pix (copia e cola)', pixOpen: 'Abrir as instruções de pagamento', pixExpires: 'O código expira em',
  boletoTitle: 'Seu boleto', boletoText: 'Pague este boleto até o vencimento em um banco, lotérica ou pelo app do seu banco. O lojista será avisado quando ele for pago.',
  boletoNumber: 'Linha digitável', boletoOpen: 'Ver o boleto', boletoPdf: 'Baixar o boleto (PDF)', processingTitle: 'Pagamento em andamento', returnToMerchant: 'Voltar para a loja',
};

const byLocale: Partial<Record<CheckoutLocale, LocalMethodTexts>> = { en, de, nl, pl, pt };

export function localMethodTexts(locale: CheckoutLocale): LocalMethodTexts {
  return byLocale[locale] ?? en;
}
