/** The texts of the hosted onboarding page, one set per language (onboarding-texts.ts picks the set). */

export interface OnboardingTexts {
  title: string; intro: string; testMode: string; testHint: string; correctFields: string; submit: string; continue: string; required: string;
  businessTypeSection: string; businessType: string; businessTypes: Record<'individual' | 'company' | 'non_profit' | 'government_entity', string>;
  profileSection: string; mcc: string; mccChoose: string; website: string; websiteHint: string; productDescription: string; businessName: string;
  personSection: string; firstName: string; lastName: string; email: string; phone: string; dob: string; day: string; month: string; year: string;
  addressSection: string; line1: string; line2: string; city: string; postalCode: string; state: string;
  ssn: string; ssnHint: string; idNumber: string; idNumberHint: string;
  companySection: string; companyName: string; companyPhone: string; taxId: string; taxIdHint: string; companyAddressSection: string;
  ownersProvided: string; directorsProvided: string; executivesProvided: string;
  bankSection: string; routingNumber: string; accountNumber: string; iban: string; bankHint: string;
  termsSection: string; terms: string;
  unknownLinkTitle: string; unknownLinkText: string; forbiddenTitle: string;
  errors: {
    required: string; email: string; url: string; urlOrDescription: string; phone: string; dob: string; dobFuture: string; ssn: string; idNumber: string;
    postalCode: string; routingNumber: string; accountNumber: string; iban: string; terms: string; choose: string; tooLong: string;
  };
  mccs: Record<string, string>;
}

/** The merchant category codes the page offers (Stripe's hosted onboarding asks an industry; these are the common ones). */
export const onboardingMccs = ['5734', '5817', '5815', '7372', '5399', '5651', '5942', '5945', '5992', '5411', '5812', '7011', '4121', '7299', '7392', '7997', '8299', '8398', '8999'] as const;
