import type { OnboardingTexts } from './onboarding-text-shape.ts';

export const en: OnboardingTexts = {
  title: 'Set up payments with {platform}', intro: '{platform} works with Payrail to pay you. Tell us about you and your business; what we ask is what the law and the card networks require.',
  testMode: 'Test mode', testHint: 'Test mode: nothing is checked with a real bank or identity provider; Stripe\'s test values (docs/connect.md) verify.',
  correctFields: 'Please correct the fields marked below.', submit: 'Submit', continue: 'Continue', required: '(required)',
  businessTypeSection: 'Business type', businessType: 'Type of business',
  businessTypes: { individual: 'Individual or sole proprietor', company: 'Company', non_profit: 'Non-profit organisation', government_entity: 'Government entity' },
  profileSection: 'Your business', mcc: 'Industry', mccChoose: 'Choose an industry', website: 'Business website', websiteHint: 'No website? Describe what you sell below instead.',
  productDescription: 'Product description', businessName: 'Business name',
  personSection: 'Personal details', firstName: 'First name', lastName: 'Last name', email: 'Email', phone: 'Phone number', dob: 'Date of birth', day: 'Day', month: 'Month', year: 'Year',
  addressSection: 'Home address', line1: 'Address line 1', line2: 'Address line 2 (optional)', city: 'City', postalCode: 'Postal code', state: 'State',
  ssn: 'Social Security number', ssnHint: 'The full nine digits, or only the last four. It is encrypted and never shown again.',
  idNumber: 'Government ID number', idNumberHint: 'It is encrypted and never shown again.',
  companySection: 'Company details', companyName: 'Legal company name', companyPhone: 'Company phone number', taxId: 'Tax ID (EIN, VAT or company number)',
  taxIdHint: 'It is encrypted and never shown again.', companyAddressSection: 'Registered address',
  ownersProvided: 'I have listed everyone who owns 25% or more of the company.', directorsProvided: 'I have listed the company\'s directors.',
  executivesProvided: 'I have listed the company\'s executives.',
  bankSection: 'Bank account for payouts', routingNumber: 'Routing number', accountNumber: 'Account number', iban: 'IBAN', bankHint: 'Payouts go to this account. The number is encrypted and never shown again.',
  termsSection: 'Terms', terms: 'I agree to the Payrail Services Agreement and that {platform} may share my information with Payrail.',
  unknownLinkTitle: 'Link not valid', unknownLinkText: 'This onboarding link is not valid. Ask {platform} for a new one.', forbiddenTitle: 'Link not valid',
  errors: {
    required: 'This field is required.', email: 'Enter a valid email address.', url: 'Enter a valid website address, such as https://example.com.',
    urlOrDescription: 'Enter your business website or describe what you sell.', phone: 'Enter a valid phone number.', dob: 'Enter a valid date of birth.',
    dobFuture: 'The date of birth must be in the past.', ssn: 'Enter the last 4 digits or all 9 digits of the Social Security number.', idNumber: 'Enter a valid ID number (letters and digits).',
    postalCode: 'Enter a valid postal code.', routingNumber: 'The routing number is invalid.', accountNumber: 'The account number is invalid.', iban: 'The IBAN is invalid.',
    terms: 'You must accept the terms to continue.', choose: 'Choose one of the options.', tooLong: 'This value is too long.',
  },
  mccs: {
    5734: 'Software', 5817: 'Apps and digital goods', 5815: 'Digital media (books, music, films)', 7372: 'IT services and programming', 5399: 'General merchandise',
    5651: 'Clothing', 5942: 'Books', 5945: 'Toys and games', 5992: 'Florists', 5411: 'Groceries', 5812: 'Restaurants', 7011: 'Hotels and lodging', 4121: 'Taxis and rides',
    7299: 'Personal services', 7392: 'Consulting', 7997: 'Clubs and fitness', 8299: 'Education', 8398: 'Charities', 8999: 'Professional services',
  },
};
