import { preferredLanguage } from '../platform/accept-language.ts';

/**
 * What the hosted Checkout page says, in the session's `locale` (Stripe Checkout's languages that Payrail speaks);
 * `auto` or none follows the shopper's browser (Accept-Language), and any other language falls back to English.
 * Decline messages come from the payment as Stripe words them, in English.
 */
export const checkoutLocales = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'ja'] as const;
export type CheckoutLocale = (typeof checkoutLocales)[number];

export interface CheckoutTexts {
  pay: string; book: string; donate: string; testMode: string; orderSummary: string; totalDue: string; quantity: string; backTo: string;
  payWithCard: string; correctFields: string; email: string; cardInformation: string; cardNumber: string; expiry: string; expiryPlaceholder: string;
  cvc: string; nameOnCard: string; billingAddress: string; shippingAddress: string; line1: string; line2: string; city: string; postalCode: string;
  state: string; countryCode: string; country: string; phone: string; shippingName: string; or: string; payWithPayPal: string; paypalHint: string;
  testHint: string; paymentComplete: string; paidText: string; returnToMerchant: string; expiredTitle: string; expiredText: string;
  processingTitle: string; processingText: string; continue: string; backToMerchantText: string; toPayPalTitle: string; toPayPalText: string;
  errors: {
    email: string; name: string; number: string; expiry: string; cvc: string; address: string; city: string; postalCode: string; country: string;
    shippingCountry: string; phone: string; shippingName: string; shippingAddress: string;
  };
  /** What a declined or failed payment tells the shopper, by Stripe's code (declineText). */
  declines: { generic: string; insufficientFunds: string; expiredCard: string; incorrectCvc: string; processingError: string; incorrectNumber: string; authenticationFailed: string };
}

const en: CheckoutTexts = {
  pay: 'Pay', book: 'Book', donate: 'Donate', testMode: 'Test mode', orderSummary: 'Order summary', totalDue: 'Total due', quantity: 'Qty',
  backTo: 'Back to', payWithCard: 'Pay with card', correctFields: 'Please correct the fields marked below.', email: 'Email',
  cardInformation: 'Card information', cardNumber: 'Card number', expiry: 'Expiration (MM / YY)', expiryPlaceholder: 'MM / YY', cvc: 'Security code (CVC)',
  nameOnCard: 'Name on card', billingAddress: 'Billing address', shippingAddress: 'Shipping address', line1: 'Address line 1',
  line2: 'Address line 2 (optional)', city: 'City', postalCode: 'Postal code', state: 'State or region (optional)', countryCode: 'Country (two-letter code)',
  country: 'Country', phone: 'Phone number', shippingName: 'Name for delivery', or: 'or', payWithPayPal: 'Pay with PayPal',
  paypalHint: 'PayPal needs only your email (and the addresses above when asked); leave the card empty.',
  testHint: 'Test mode: use 4242 4242 4242 4242, any future date and any CVC.', paymentComplete: 'Payment complete',
  paidText: 'This checkout session has been paid. Thank you.', returnToMerchant: 'Return to the merchant', expiredTitle: 'Session expired',
  expiredText: 'This checkout session has expired. Return to the merchant to start again.', processingTitle: 'Payment in progress',
  processingText: 'Your payment is being processed. You can close this page; the merchant will be told when it completes.', continue: 'Continue',
  backToMerchantText: 'Thank you. Taking you back to the merchant…', toPayPalTitle: 'Continuing to PayPal', toPayPalText: 'Taking you to PayPal to approve the payment…',
  errors: {
    email: 'Enter a valid email address.', name: 'Enter the name on the card.', number: 'Your card number is incomplete.',
    expiry: "Your card's expiration date is incomplete.", cvc: "Your card's security code is incomplete.", address: 'Enter the address.',
    city: 'Enter the city.', postalCode: 'Enter the postal code.', country: 'Choose a country.', shippingCountry: 'Choose a country this shop ships to.',
    phone: 'Enter a phone number.', shippingName: 'Enter the name for delivery.', shippingAddress: 'Enter the shipping address.',
  },
  declines: {
    generic: 'Your card was declined.', insufficientFunds: 'Your card has insufficient funds.', expiredCard: 'Your card has expired.', incorrectCvc: 'Your card\'s security code is incorrect.',
    processingError: 'An error occurred while processing your card. Try again in a little bit.', incorrectNumber: 'Your card number is incorrect.', authenticationFailed: 'We could not authenticate your payment. Try again, or use another card.',
  },
};

const de: CheckoutTexts = {
  pay: 'Bezahlen', book: 'Buchen', donate: 'Spenden', testMode: 'Testmodus', orderSummary: 'Bestellübersicht', totalDue: 'Gesamtbetrag', quantity: 'Menge',
  backTo: 'Zurück zu', payWithCard: 'Mit Karte bezahlen', correctFields: 'Bitte korrigieren Sie die markierten Felder.', email: 'E-Mail',
  cardInformation: 'Kartendaten', cardNumber: 'Kartennummer', expiry: 'Ablaufdatum (MM / JJ)', expiryPlaceholder: 'MM / JJ', cvc: 'Sicherheitscode (CVC)',
  nameOnCard: 'Name auf der Karte', billingAddress: 'Rechnungsadresse', shippingAddress: 'Lieferadresse', line1: 'Adresszeile 1',
  line2: 'Adresszeile 2 (optional)', city: 'Ort', postalCode: 'Postleitzahl', state: 'Bundesland oder Region (optional)', countryCode: 'Land (zweistelliger Code)',
  country: 'Land', phone: 'Telefonnummer', shippingName: 'Name für die Lieferung', or: 'oder', payWithPayPal: 'Mit PayPal bezahlen',
  paypalHint: 'Für PayPal genügt Ihre E-Mail-Adresse (und die Adressen oben, falls verlangt); lassen Sie die Karte leer.',
  testHint: 'Testmodus: 4242 4242 4242 4242, ein beliebiges künftiges Datum und eine beliebige CVC verwenden.', paymentComplete: 'Zahlung abgeschlossen',
  paidText: 'Diese Bezahlsitzung wurde bezahlt. Vielen Dank.', returnToMerchant: 'Zurück zum Händler', expiredTitle: 'Sitzung abgelaufen',
  expiredText: 'Diese Bezahlsitzung ist abgelaufen. Kehren Sie zum Händler zurück, um neu zu beginnen.', processingTitle: 'Zahlung in Bearbeitung',
  processingText: 'Ihre Zahlung wird bearbeitet. Sie können diese Seite schließen; der Händler wird informiert, sobald sie abgeschlossen ist.', continue: 'Weiter',
  backToMerchantText: 'Vielen Dank. Sie werden zum Händler zurückgeleitet…', toPayPalTitle: 'Weiter zu PayPal', toPayPalText: 'Sie werden zu PayPal weitergeleitet, um die Zahlung zu bestätigen…',
  errors: {
    email: 'Geben Sie eine gültige E-Mail-Adresse ein.', name: 'Geben Sie den Namen auf der Karte ein.', number: 'Ihre Kartennummer ist unvollständig.',
    expiry: 'Das Ablaufdatum Ihrer Karte ist unvollständig.', cvc: 'Der Sicherheitscode Ihrer Karte ist unvollständig.', address: 'Geben Sie die Adresse ein.',
    city: 'Geben Sie den Ort ein.', postalCode: 'Geben Sie die Postleitzahl ein.', country: 'Wählen Sie ein Land.', shippingCountry: 'Wählen Sie ein Land, in das dieser Shop liefert.',
    phone: 'Geben Sie eine Telefonnummer ein.', shippingName: 'Geben Sie den Namen für die Lieferung ein.', shippingAddress: 'Geben Sie die Lieferadresse ein.',
  },
  declines: {
    generic: 'Ihre Karte wurde abgelehnt.', insufficientFunds: 'Ihre Karte ist nicht ausreichend gedeckt.', expiredCard: 'Ihre Karte ist abgelaufen.', incorrectCvc: 'Der Sicherheitscode Ihrer Karte ist falsch.',
    processingError: 'Bei der Verarbeitung Ihrer Karte ist ein Fehler aufgetreten. Versuchen Sie es gleich noch einmal.', incorrectNumber: 'Ihre Kartennummer ist falsch.', authenticationFailed: 'Ihre Zahlung konnte nicht authentifiziert werden. Versuchen Sie es erneut oder verwenden Sie eine andere Karte.',
  },
};

const fr: CheckoutTexts = {
  pay: 'Payer', book: 'Réserver', donate: 'Faire un don', testMode: 'Mode test', orderSummary: 'Récapitulatif de la commande', totalDue: 'Total à payer', quantity: 'Qté',
  backTo: 'Retour à', payWithCard: 'Payer par carte', correctFields: 'Veuillez corriger les champs indiqués ci-dessous.', email: 'E-mail',
  cardInformation: 'Informations de carte', cardNumber: 'Numéro de carte', expiry: "Date d'expiration (MM / AA)", expiryPlaceholder: 'MM / AA', cvc: 'Code de sécurité (CVC)',
  nameOnCard: 'Nom sur la carte', billingAddress: 'Adresse de facturation', shippingAddress: 'Adresse de livraison', line1: 'Adresse, ligne 1',
  line2: 'Adresse, ligne 2 (facultatif)', city: 'Ville', postalCode: 'Code postal', state: 'État ou région (facultatif)', countryCode: 'Pays (code à deux lettres)',
  country: 'Pays', phone: 'Numéro de téléphone', shippingName: 'Nom pour la livraison', or: 'ou', payWithPayPal: 'Payer avec PayPal',
  paypalHint: "PayPal n'a besoin que de votre e-mail (et des adresses ci-dessus si demandées) ; laissez la carte vide.",
  testHint: "Mode test : utilisez 4242 4242 4242 4242, une date future et n'importe quel CVC.", paymentComplete: 'Paiement effectué',
  paidText: 'Cette session de paiement a été réglée. Merci.', returnToMerchant: 'Retour au marchand', expiredTitle: 'Session expirée',
  expiredText: 'Cette session de paiement a expiré. Retournez chez le marchand pour recommencer.', processingTitle: 'Paiement en cours',
  processingText: 'Votre paiement est en cours de traitement. Vous pouvez fermer cette page ; le marchand sera informé une fois terminé.', continue: 'Continuer',
  backToMerchantText: 'Merci. Retour vers le marchand…', toPayPalTitle: 'Redirection vers PayPal', toPayPalText: 'Redirection vers PayPal pour approuver le paiement…',
  errors: {
    email: 'Saisissez une adresse e-mail valide.', name: 'Saisissez le nom figurant sur la carte.', number: 'Le numéro de votre carte est incomplet.',
    expiry: "La date d'expiration de votre carte est incomplète.", cvc: 'Le code de sécurité de votre carte est incomplet.', address: "Saisissez l'adresse.",
    city: 'Saisissez la ville.', postalCode: 'Saisissez le code postal.', country: 'Choisissez un pays.', shippingCountry: 'Choisissez un pays desservi par cette boutique.',
    phone: 'Saisissez un numéro de téléphone.', shippingName: 'Saisissez le nom pour la livraison.', shippingAddress: "Saisissez l'adresse de livraison.",
  },
  declines: {
    generic: 'Votre carte a été refusée.', insufficientFunds: 'Les fonds de votre carte sont insuffisants.', expiredCard: 'Votre carte a expiré.', incorrectCvc: 'Le code de sécurité de votre carte est incorrect.',
    processingError: 'Une erreur s\'est produite lors du traitement de votre carte. Réessayez dans un instant.', incorrectNumber: 'Le numéro de votre carte est incorrect.', authenticationFailed: 'Nous n\'avons pas pu authentifier votre paiement. Réessayez ou utilisez une autre carte.',
  },
};

const es: CheckoutTexts = {
  pay: 'Pagar', book: 'Reservar', donate: 'Donar', testMode: 'Modo de prueba', orderSummary: 'Resumen del pedido', totalDue: 'Total a pagar', quantity: 'Cant.',
  backTo: 'Volver a', payWithCard: 'Pagar con tarjeta', correctFields: 'Corrige los campos marcados a continuación.', email: 'Correo electrónico',
  cardInformation: 'Datos de la tarjeta', cardNumber: 'Número de tarjeta', expiry: 'Vencimiento (MM / AA)', expiryPlaceholder: 'MM / AA', cvc: 'Código de seguridad (CVC)',
  nameOnCard: 'Nombre en la tarjeta', billingAddress: 'Dirección de facturación', shippingAddress: 'Dirección de envío', line1: 'Dirección, línea 1',
  line2: 'Dirección, línea 2 (opcional)', city: 'Ciudad', postalCode: 'Código postal', state: 'Estado o región (opcional)', countryCode: 'País (código de dos letras)',
  country: 'País', phone: 'Número de teléfono', shippingName: 'Nombre para la entrega', or: 'o', payWithPayPal: 'Pagar con PayPal',
  paypalHint: 'PayPal solo necesita tu correo electrónico (y las direcciones de arriba si se piden); deja la tarjeta vacía.',
  testHint: 'Modo de prueba: usa 4242 4242 4242 4242, cualquier fecha futura y cualquier CVC.', paymentComplete: 'Pago completado',
  paidText: 'Esta sesión de pago se ha pagado. Gracias.', returnToMerchant: 'Volver al comercio', expiredTitle: 'Sesión caducada',
  expiredText: 'Esta sesión de pago ha caducado. Vuelve al comercio para empezar de nuevo.', processingTitle: 'Pago en curso',
  processingText: 'Tu pago se está procesando. Puedes cerrar esta página; se avisará al comercio cuando termine.', continue: 'Continuar',
  backToMerchantText: 'Gracias. Volviendo al comercio…', toPayPalTitle: 'Continuando a PayPal', toPayPalText: 'Te llevamos a PayPal para aprobar el pago…',
  errors: {
    email: 'Introduce un correo electrónico válido.', name: 'Introduce el nombre que figura en la tarjeta.', number: 'El número de tu tarjeta está incompleto.',
    expiry: 'La fecha de vencimiento de tu tarjeta está incompleta.', cvc: 'El código de seguridad de tu tarjeta está incompleto.', address: 'Introduce la dirección.',
    city: 'Introduce la ciudad.', postalCode: 'Introduce el código postal.', country: 'Elige un país.', shippingCountry: 'Elige un país al que envíe esta tienda.',
    phone: 'Introduce un número de teléfono.', shippingName: 'Introduce el nombre para la entrega.', shippingAddress: 'Introduce la dirección de envío.',
  },
  declines: {
    generic: 'Tu tarjeta ha sido rechazada.', insufficientFunds: 'Tu tarjeta no tiene fondos suficientes.', expiredCard: 'Tu tarjeta ha caducado.', incorrectCvc: 'El código de seguridad de tu tarjeta es incorrecto.',
    processingError: 'Se ha producido un error al procesar tu tarjeta. Vuelve a intentarlo en unos instantes.', incorrectNumber: 'El número de tu tarjeta es incorrecto.', authenticationFailed: 'No hemos podido autenticar tu pago. Vuelve a intentarlo o usa otra tarjeta.',
  },
};

const it: CheckoutTexts = {
  pay: 'Paga', book: 'Prenota', donate: 'Dona', testMode: 'Modalità test', orderSummary: "Riepilogo dell'ordine", totalDue: 'Totale da pagare', quantity: 'Qtà',
  backTo: 'Torna a', payWithCard: 'Paga con carta', correctFields: 'Correggi i campi indicati qui sotto.', email: 'Email',
  cardInformation: 'Dati della carta', cardNumber: 'Numero della carta', expiry: 'Scadenza (MM / AA)', expiryPlaceholder: 'MM / AA', cvc: 'Codice di sicurezza (CVC)',
  nameOnCard: 'Nome sulla carta', billingAddress: 'Indirizzo di fatturazione', shippingAddress: 'Indirizzo di spedizione', line1: 'Indirizzo, riga 1',
  line2: 'Indirizzo, riga 2 (facoltativo)', city: 'Città', postalCode: 'CAP', state: 'Provincia o regione (facoltativo)', countryCode: 'Paese (codice di due lettere)',
  country: 'Paese', phone: 'Numero di telefono', shippingName: 'Nome per la consegna', or: 'oppure', payWithPayPal: 'Paga con PayPal',
  paypalHint: 'Per PayPal basta la tua email (e gli indirizzi sopra se richiesti); lascia vuota la carta.',
  testHint: 'Modalità test: usa 4242 4242 4242 4242, una data futura qualsiasi e un CVC qualsiasi.', paymentComplete: 'Pagamento completato',
  paidText: 'Questa sessione di pagamento è stata pagata. Grazie.', returnToMerchant: 'Torna al venditore', expiredTitle: 'Sessione scaduta',
  expiredText: 'Questa sessione di pagamento è scaduta. Torna dal venditore per ricominciare.', processingTitle: 'Pagamento in corso',
  processingText: 'Il pagamento è in elaborazione. Puoi chiudere questa pagina; il venditore verrà avvisato al termine.', continue: 'Continua',
  backToMerchantText: 'Grazie. Ti riportiamo dal venditore…', toPayPalTitle: 'Verso PayPal', toPayPalText: 'Ti portiamo su PayPal per approvare il pagamento…',
  errors: {
    email: 'Inserisci un indirizzo email valido.', name: 'Inserisci il nome riportato sulla carta.', number: 'Il numero della carta è incompleto.',
    expiry: 'La data di scadenza della carta è incompleta.', cvc: 'Il codice di sicurezza della carta è incompleto.', address: "Inserisci l'indirizzo.",
    city: 'Inserisci la città.', postalCode: 'Inserisci il CAP.', country: 'Scegli un paese.', shippingCountry: 'Scegli un paese in cui questo negozio spedisce.',
    phone: 'Inserisci un numero di telefono.', shippingName: 'Inserisci il nome per la consegna.', shippingAddress: "Inserisci l'indirizzo di spedizione.",
  },
  declines: {
    generic: 'La tua carta è stata rifiutata.', insufficientFunds: 'Fondi insufficienti sulla carta.', expiredCard: 'La tua carta è scaduta.', incorrectCvc: 'Il codice di sicurezza della carta non è corretto.',
    processingError: 'Si è verificato un errore durante l\'elaborazione della carta. Riprova tra poco.', incorrectNumber: 'Il numero della carta non è corretto.', authenticationFailed: 'Non è stato possibile autenticare il pagamento. Riprova o usa un\'altra carta.',
  },
};

const nl: CheckoutTexts = {
  pay: 'Betalen', book: 'Boeken', donate: 'Doneren', testMode: 'Testmodus', orderSummary: 'Besteloverzicht', totalDue: 'Totaal te betalen', quantity: 'Aantal',
  backTo: 'Terug naar', payWithCard: 'Betalen met kaart', correctFields: 'Corrigeer de hieronder gemarkeerde velden.', email: 'E-mail',
  cardInformation: 'Kaartgegevens', cardNumber: 'Kaartnummer', expiry: 'Vervaldatum (MM / JJ)', expiryPlaceholder: 'MM / JJ', cvc: 'Beveiligingscode (CVC)',
  nameOnCard: 'Naam op de kaart', billingAddress: 'Factuuradres', shippingAddress: 'Verzendadres', line1: 'Adresregel 1',
  line2: 'Adresregel 2 (optioneel)', city: 'Plaats', postalCode: 'Postcode', state: 'Provincie of regio (optioneel)', countryCode: 'Land (code van twee letters)',
  country: 'Land', phone: 'Telefoonnummer', shippingName: 'Naam voor de bezorging', or: 'of', payWithPayPal: 'Betalen met PayPal',
  paypalHint: 'Voor PayPal is alleen je e-mailadres nodig (en de adressen hierboven als erom gevraagd wordt); laat de kaart leeg.',
  testHint: 'Testmodus: gebruik 4242 4242 4242 4242, een datum in de toekomst en een willekeurige CVC.', paymentComplete: 'Betaling voltooid',
  paidText: 'Deze betaalsessie is betaald. Dank je wel.', returnToMerchant: 'Terug naar de verkoper', expiredTitle: 'Sessie verlopen',
  expiredText: 'Deze betaalsessie is verlopen. Ga terug naar de verkoper om opnieuw te beginnen.', processingTitle: 'Betaling wordt verwerkt',
  processingText: 'Je betaling wordt verwerkt. Je kunt deze pagina sluiten; de verkoper hoort het zodra ze voltooid is.', continue: 'Doorgaan',
  backToMerchantText: 'Dank je wel. Je gaat terug naar de verkoper…', toPayPalTitle: 'Door naar PayPal', toPayPalText: 'Je gaat naar PayPal om de betaling goed te keuren…',
  errors: {
    email: 'Vul een geldig e-mailadres in.', name: 'Vul de naam op de kaart in.', number: 'Je kaartnummer is onvolledig.',
    expiry: 'De vervaldatum van je kaart is onvolledig.', cvc: 'De beveiligingscode van je kaart is onvolledig.', address: 'Vul het adres in.',
    city: 'Vul de plaats in.', postalCode: 'Vul de postcode in.', country: 'Kies een land.', shippingCountry: 'Kies een land waarnaar deze winkel verzendt.',
    phone: 'Vul een telefoonnummer in.', shippingName: 'Vul de naam voor de bezorging in.', shippingAddress: 'Vul het verzendadres in.',
  },
  declines: {
    generic: 'Je kaart is geweigerd.', insufficientFunds: 'Er staat onvoldoende saldo op je kaart.', expiredCard: 'Je kaart is verlopen.', incorrectCvc: 'De beveiligingscode van je kaart is onjuist.',
    processingError: 'Er is een fout opgetreden bij het verwerken van je kaart. Probeer het zo opnieuw.', incorrectNumber: 'Je kaartnummer is onjuist.', authenticationFailed: 'We konden je betaling niet verifiëren. Probeer het opnieuw of gebruik een andere kaart.',
  },
};

const pt: CheckoutTexts = {
  pay: 'Pagar', book: 'Reservar', donate: 'Doar', testMode: 'Modo de teste', orderSummary: 'Resumo do pedido', totalDue: 'Total a pagar', quantity: 'Qtd.',
  backTo: 'Voltar para', payWithCard: 'Pagar com cartão', correctFields: 'Corrija os campos indicados abaixo.', email: 'E-mail',
  cardInformation: 'Dados do cartão', cardNumber: 'Número do cartão', expiry: 'Validade (MM / AA)', expiryPlaceholder: 'MM / AA', cvc: 'Código de segurança (CVC)',
  nameOnCard: 'Nome no cartão', billingAddress: 'Endereço de cobrança', shippingAddress: 'Endereço de entrega', line1: 'Endereço, linha 1',
  line2: 'Endereço, linha 2 (opcional)', city: 'Cidade', postalCode: 'Código postal', state: 'Estado ou região (opcional)', countryCode: 'País (código de duas letras)',
  country: 'País', phone: 'Número de telefone', shippingName: 'Nome para a entrega', or: 'ou', payWithPayPal: 'Pagar com PayPal',
  paypalHint: 'O PayPal só precisa do seu e-mail (e dos endereços acima, se pedidos); deixe o cartão em branco.',
  testHint: 'Modo de teste: use 4242 4242 4242 4242, qualquer data futura e qualquer CVC.', paymentComplete: 'Pagamento concluído',
  paidText: 'Esta sessão de pagamento foi paga. Obrigado.', returnToMerchant: 'Voltar ao comerciante', expiredTitle: 'Sessão expirada',
  expiredText: 'Esta sessão de pagamento expirou. Volte ao comerciante para começar de novo.', processingTitle: 'Pagamento em processamento',
  processingText: 'O seu pagamento está a ser processado. Pode fechar esta página; o comerciante será avisado quando terminar.', continue: 'Continuar',
  backToMerchantText: 'Obrigado. A voltar ao comerciante…', toPayPalTitle: 'A seguir para o PayPal', toPayPalText: 'A levá-lo ao PayPal para aprovar o pagamento…',
  errors: {
    email: 'Introduza um endereço de e-mail válido.', name: 'Introduza o nome que consta do cartão.', number: 'O número do seu cartão está incompleto.',
    expiry: 'A data de validade do seu cartão está incompleta.', cvc: 'O código de segurança do seu cartão está incompleto.', address: 'Introduza o endereço.',
    city: 'Introduza a cidade.', postalCode: 'Introduza o código postal.', country: 'Escolha um país.', shippingCountry: 'Escolha um país para onde esta loja envia.',
    phone: 'Introduza um número de telefone.', shippingName: 'Introduza o nome para a entrega.', shippingAddress: 'Introduza o endereço de entrega.',
  },
  declines: {
    generic: 'O seu cartão foi recusado.', insufficientFunds: 'O seu cartão não tem saldo suficiente.', expiredCard: 'O seu cartão expirou.', incorrectCvc: 'O código de segurança do seu cartão está incorreto.',
    processingError: 'Ocorreu um erro ao processar o seu cartão. Tente novamente daqui a pouco.', incorrectNumber: 'O número do seu cartão está incorreto.', authenticationFailed: 'Não foi possível autenticar o seu pagamento. Tente novamente ou use outro cartão.',
  },
};

const pl: CheckoutTexts = {
  pay: 'Zapłać', book: 'Zarezerwuj', donate: 'Przekaż darowiznę', testMode: 'Tryb testowy', orderSummary: 'Podsumowanie zamówienia', totalDue: 'Do zapłaty', quantity: 'Ilość',
  backTo: 'Wróć do', payWithCard: 'Zapłać kartą', correctFields: 'Popraw zaznaczone poniżej pola.', email: 'E-mail',
  cardInformation: 'Dane karty', cardNumber: 'Numer karty', expiry: 'Data ważności (MM / RR)', expiryPlaceholder: 'MM / RR', cvc: 'Kod bezpieczeństwa (CVC)',
  nameOnCard: 'Imię i nazwisko na karcie', billingAddress: 'Adres rozliczeniowy', shippingAddress: 'Adres dostawy', line1: 'Adres, wiersz 1',
  line2: 'Adres, wiersz 2 (opcjonalnie)', city: 'Miasto', postalCode: 'Kod pocztowy', state: 'Województwo lub region (opcjonalnie)', countryCode: 'Kraj (kod dwuliterowy)',
  country: 'Kraj', phone: 'Numer telefonu', shippingName: 'Imię i nazwisko odbiorcy', or: 'lub', payWithPayPal: 'Zapłać przez PayPal',
  paypalHint: 'PayPal potrzebuje tylko Twojego adresu e-mail (i adresów powyżej, jeśli są wymagane); pozostaw dane karty puste.',
  testHint: 'Tryb testowy: użyj 4242 4242 4242 4242, dowolnej przyszłej daty i dowolnego CVC.', paymentComplete: 'Płatność zakończona',
  paidText: 'Ta sesja płatności została opłacona. Dziękujemy.', returnToMerchant: 'Wróć do sprzedawcy', expiredTitle: 'Sesja wygasła',
  expiredText: 'Ta sesja płatności wygasła. Wróć do sprzedawcy, aby zacząć od nowa.', processingTitle: 'Płatność w toku',
  processingText: 'Twoja płatność jest przetwarzana. Możesz zamknąć tę stronę; sprzedawca zostanie powiadomiony po jej zakończeniu.', continue: 'Dalej',
  backToMerchantText: 'Dziękujemy. Wracasz do sprzedawcy…', toPayPalTitle: 'Przejście do PayPal', toPayPalText: 'Przekierowujemy do PayPal w celu zatwierdzenia płatności…',
  errors: {
    email: 'Podaj prawidłowy adres e-mail.', name: 'Podaj imię i nazwisko z karty.', number: 'Numer karty jest niekompletny.',
    expiry: 'Data ważności karty jest niekompletna.', cvc: 'Kod bezpieczeństwa karty jest niekompletny.', address: 'Podaj adres.',
    city: 'Podaj miasto.', postalCode: 'Podaj kod pocztowy.', country: 'Wybierz kraj.', shippingCountry: 'Wybierz kraj, do którego wysyła ten sklep.',
    phone: 'Podaj numer telefonu.', shippingName: 'Podaj imię i nazwisko odbiorcy.', shippingAddress: 'Podaj adres dostawy.',
  },
  declines: {
    generic: 'Twoja karta została odrzucona.', insufficientFunds: 'Na karcie brakuje środków.', expiredCard: 'Twoja karta straciła ważność.', incorrectCvc: 'Kod bezpieczeństwa karty jest nieprawidłowy.',
    processingError: 'Wystąpił błąd podczas przetwarzania karty. Spróbuj ponownie za chwilę.', incorrectNumber: 'Numer karty jest nieprawidłowy.', authenticationFailed: 'Nie udało się uwierzytelnić płatności. Spróbuj ponownie lub użyj innej karty.',
  },
};

const ja: CheckoutTexts = {
  pay: '支払う', book: '予約する', donate: '寄付する', testMode: 'テストモード', orderSummary: '注文内容', totalDue: 'お支払い合計', quantity: '数量',
  backTo: '戻る:', payWithCard: 'カードで支払う', correctFields: '以下の項目を修正してください。', email: 'メールアドレス',
  cardInformation: 'カード情報', cardNumber: 'カード番号', expiry: '有効期限 (MM / YY)', expiryPlaceholder: 'MM / YY', cvc: 'セキュリティコード (CVC)',
  nameOnCard: 'カード名義', billingAddress: '請求先住所', shippingAddress: '配送先住所', line1: '住所 1',
  line2: '住所 2 (任意)', city: '市区町村', postalCode: '郵便番号', state: '都道府県・地域 (任意)', countryCode: '国 (2 文字のコード)',
  country: '国', phone: '電話番号', shippingName: '配送先の氏名', or: 'または', payWithPayPal: 'PayPal で支払う',
  paypalHint: 'PayPal にはメールアドレス (および求められた場合は上の住所) のみが必要です。カード欄は空のままにしてください。',
  testHint: 'テストモード: 4242 4242 4242 4242、将来の任意の日付、任意の CVC を使用してください。', paymentComplete: 'お支払いが完了しました',
  paidText: 'このチェックアウトセッションは支払い済みです。ありがとうございました。', returnToMerchant: 'ショップに戻る', expiredTitle: 'セッションの有効期限切れ',
  expiredText: 'このチェックアウトセッションは有効期限が切れました。ショップに戻ってやり直してください。', processingTitle: 'お支払いを処理中です',
  processingText: 'お支払いを処理しています。このページを閉じても構いません。完了するとショップに通知されます。', continue: '続ける',
  backToMerchantText: 'ありがとうございました。ショップに戻ります…', toPayPalTitle: 'PayPal に移動しています', toPayPalText: 'お支払いを承認するため PayPal に移動します…',
  errors: {
    email: '有効なメールアドレスを入力してください。', name: 'カード名義を入力してください。', number: 'カード番号が不完全です。',
    expiry: 'カードの有効期限が不完全です。', cvc: 'カードのセキュリティコードが不完全です。', address: '住所を入力してください。',
    city: '市区町村を入力してください。', postalCode: '郵便番号を入力してください。', country: '国を選択してください。', shippingCountry: 'このショップの配送先の国を選択してください。',
    phone: '電話番号を入力してください。', shippingName: '配送先の氏名を入力してください。', shippingAddress: '配送先住所を入力してください。',
  },
  declines: {
    generic: 'カードが拒否されました。', insufficientFunds: 'カードの残高が不足しています。', expiredCard: 'カードの有効期限が切れています。', incorrectCvc: 'カードのセキュリティコードが正しくありません。',
    processingError: 'カードの処理中にエラーが発生しました。しばらくしてからもう一度お試しください。', incorrectNumber: 'カード番号が正しくありません。', authenticationFailed: 'お支払いを認証できませんでした。もう一度お試しいただくか、別のカードをご利用ください。',
  },
};

const texts: Record<CheckoutLocale, CheckoutTexts> = { en, de, fr, es, it, nl, pt, pl, ja };

function isCheckoutLocale(value: string): value is CheckoutLocale {
  return (checkoutLocales as readonly string[]).includes(value);
}

/**
 * The page's language: the session's `locale` when Payrail speaks it, else (`auto`, none, or one it does not speak) the
 * first language of the browser's Accept-Language it speaks, else English.
 */
export function checkoutLocaleOf(sessionLocale: string | null, acceptLanguage: string | undefined): CheckoutLocale {
  if (sessionLocale !== null && sessionLocale !== 'auto' && isCheckoutLocale(sessionLocale)) return sessionLocale;
  return preferredLanguage(acceptLanguage, checkoutLocales) ?? 'en';
}

export function checkoutTexts(locale: CheckoutLocale): CheckoutTexts {
  return texts[locale];
}

/**
 * An amount as the shopper reads it in their language (`$50.00`, `50,00 €`, `￥1,000`): Intl's currency format with
 * the currency's own number of decimals. Display only; the amount itself stays an integer in minor units.
 */
export function displayAmount(amount: number, currency: string, locale: CheckoutLocale, exponent: number): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase(), minimumFractionDigits: exponent, maximumFractionDigits: exponent });
  return format.format(amount / 10 ** exponent);
}

/**
 * A failed payment in the shopper's language, by the error's Stripe code (`decline_code` first, then `code`); an
 * unknown code keeps the API's own message.
 */
export function declineText(t: CheckoutTexts, code: string | undefined, declineCode: string | undefined, message: string): string {
  const d = t.declines;
  for (const candidate of [declineCode, code]) {
    switch (candidate) {
      case 'insufficient_funds': return d.insufficientFunds;
      case 'expired_card': return d.expiredCard;
      case 'incorrect_cvc': case 'invalid_cvc': return d.incorrectCvc;
      case 'processing_error': return d.processingError;
      case 'incorrect_number': case 'invalid_number': return d.incorrectNumber;
      case 'payment_intent_authentication_failure': return d.authenticationFailed;
      case 'generic_decline': case 'do_not_honor': case 'lost_card': case 'stolen_card': case 'fraudulent': case 'card_declined': return d.generic;
    }
  }
  return message;
}
