import type { CheckoutLocale } from './page-texts.ts';

/**
 * What a setup-mode Checkout page says (it saves a card for later payments and charges nothing), in the page's
 * languages. `intro` names the business with `{merchant}`.
 */
export interface SetupTexts {
  title: string;
  intro: string;
  save: string;
  savedTitle: string;
  savedText: string;
  processingTitle: string;
  processingText: string;
}

const texts: Record<CheckoutLocale, SetupTexts> = {
  en: {
    title: 'Save your card', intro: '{merchant} will save your card for future payments. You will not be charged now.', save: 'Save card',
    savedTitle: 'Card saved', savedText: 'Your card has been saved. Thank you.',
    processingTitle: 'Saving your card', processingText: 'Your card is being checked. You can close this page; the merchant will be told when it is saved.',
  },
  de: {
    title: 'Karte speichern', intro: '{merchant} speichert Ihre Karte für künftige Zahlungen. Sie werden jetzt nicht belastet.', save: 'Karte speichern',
    savedTitle: 'Karte gespeichert', savedText: 'Ihre Karte wurde gespeichert. Vielen Dank.',
    processingTitle: 'Karte wird gespeichert', processingText: 'Ihre Karte wird geprüft. Sie können diese Seite schließen; der Händler wird informiert, sobald sie gespeichert ist.',
  },
  fr: {
    title: 'Enregistrer votre carte', intro: '{merchant} enregistrera votre carte pour de futurs paiements. Aucun montant ne sera débité maintenant.', save: 'Enregistrer la carte',
    savedTitle: 'Carte enregistrée', savedText: 'Votre carte a été enregistrée. Merci.',
    processingTitle: 'Enregistrement de votre carte', processingText: 'Votre carte est en cours de vérification. Vous pouvez fermer cette page ; le marchand sera informé une fois la carte enregistrée.',
  },
  es: {
    title: 'Guardar tu tarjeta', intro: '{merchant} guardará tu tarjeta para pagos futuros. No se te cobrará nada ahora.', save: 'Guardar tarjeta',
    savedTitle: 'Tarjeta guardada', savedText: 'Tu tarjeta se ha guardado. Gracias.',
    processingTitle: 'Guardando tu tarjeta', processingText: 'Estamos comprobando tu tarjeta. Puedes cerrar esta página; se avisará al comercio cuando esté guardada.',
  },
  it: {
    title: 'Salva la tua carta', intro: '{merchant} salverà la tua carta per pagamenti futuri. Non ti verrà addebitato nulla ora.', save: 'Salva carta',
    savedTitle: 'Carta salvata', savedText: 'La tua carta è stata salvata. Grazie.',
    processingTitle: 'Salvataggio della carta', processingText: 'Stiamo verificando la tua carta. Puoi chiudere questa pagina; il venditore sarà avvisato quando sarà salvata.',
  },
  nl: {
    title: 'Je kaart opslaan', intro: '{merchant} slaat je kaart op voor toekomstige betalingen. Er wordt nu niets afgeschreven.', save: 'Kaart opslaan',
    savedTitle: 'Kaart opgeslagen', savedText: 'Je kaart is opgeslagen. Bedankt.',
    processingTitle: 'Je kaart wordt opgeslagen', processingText: 'Je kaart wordt gecontroleerd. Je kunt deze pagina sluiten; de verkoper krijgt bericht zodra ze is opgeslagen.',
  },
  pt: {
    title: 'Guardar o seu cartão', intro: '{merchant} vai guardar o seu cartão para pagamentos futuros. Não será cobrado agora.', save: 'Guardar cartão',
    savedTitle: 'Cartão guardado', savedText: 'O seu cartão foi guardado. Obrigado.',
    processingTitle: 'A guardar o seu cartão', processingText: 'O seu cartão está a ser verificado. Pode fechar esta página; o comerciante será avisado quando estiver guardado.',
  },
  pl: {
    title: 'Zapisz kartę', intro: '{merchant} zapisze Twoją kartę do przyszłych płatności. Teraz nie zostaniesz obciążony.', save: 'Zapisz kartę',
    savedTitle: 'Karta zapisana', savedText: 'Twoja karta została zapisana. Dziękujemy.',
    processingTitle: 'Zapisywanie karty', processingText: 'Sprawdzamy Twoją kartę. Możesz zamknąć tę stronę; sprzedawca zostanie powiadomiony, gdy karta zostanie zapisana.',
  },
  ja: {
    title: 'カードを保存', intro: '{merchant} は今後のお支払いのためにカードを保存します。今回は請求されません。', save: 'カードを保存',
    savedTitle: 'カードを保存しました', savedText: 'カードが保存されました。ありがとうございます。',
    processingTitle: 'カードを保存しています', processingText: 'カードを確認しています。このページを閉じてもかまいません。保存が完了すると販売者に通知されます。',
  },
};

export function setupTexts(locale: CheckoutLocale): SetupTexts {
  return texts[locale];
}
