import type { OnboardingTexts } from './onboarding-text-shape.ts';

export const pt: OnboardingTexts = {
  title: 'Configure os pagamentos com {platform}', intro: '{platform} trabalha com a Payrail para pagar a você. Conte-nos sobre você e sua empresa; pedimos apenas o que a lei e as bandeiras de cartão exigem.',
  testMode: 'Modo de teste', testHint: 'Modo de teste: nada é verificado com um banco real ou serviço de identidade; os valores de teste da Stripe (docs/connect.md) são aprovados.',
  correctFields: 'Corrija os campos assinalados abaixo.', submit: 'Enviar', continue: 'Continuar', required: '(obrigatório)',
  businessTypeSection: 'Tipo de empresa', businessType: 'Tipo de empresa',
  businessTypes: { individual: 'Pessoa física ou empresário individual', company: 'Sociedade', non_profit: 'Organização sem fins lucrativos', government_entity: 'Entidade pública' },
  profileSection: 'Sua empresa', mcc: 'Setor', mccChoose: 'Escolha um setor', website: 'Site da empresa', websiteHint: 'Não tem site? Descreva abaixo o que você vende.',
  productDescription: 'Descrição dos produtos', businessName: 'Nome da empresa',
  personSection: 'Dados pessoais', firstName: 'Nome', lastName: 'Sobrenome', email: 'E-mail', phone: 'Telefone', dob: 'Data de nascimento', day: 'Dia', month: 'Mês', year: 'Ano',
  addressSection: 'Endereço residencial', line1: 'Endereço, linha 1', line2: 'Endereço, linha 2 (opcional)', city: 'Cidade', postalCode: 'Código postal', state: 'Estado',
  ssn: 'Número de Seguro Social dos EUA (SSN)', ssnHint: 'Os nove dígitos ou apenas os quatro últimos. Ele é criptografado e nunca mais exibido.',
  idNumber: 'Número do documento de identidade', idNumberHint: 'Ele é criptografado e nunca mais exibido.',
  companySection: 'Dados da sociedade', companyName: 'Razão social', companyPhone: 'Telefone da sociedade', taxId: 'Identificação fiscal (CNPJ, NIF, IVA ou EIN)',
  taxIdHint: 'Ele é criptografado e nunca mais exibido.', companyAddressSection: 'Endereço registrado',
  ownersProvided: 'Informei todas as pessoas que detêm 25% ou mais da sociedade.', directorsProvided: 'Informei os administradores da sociedade.',
  executivesProvided: 'Informei os diretores executivos da sociedade.',
  bankSection: 'Conta bancária para os repasses', routingNumber: 'Número de roteamento (routing number)', accountNumber: 'Número da conta', iban: 'IBAN', bankHint: 'Os repasses vão para esta conta. O número é criptografado e nunca mais exibido.',
  termsSection: 'Termos', terms: 'Concordo com o Contrato de Serviços da Payrail e que {platform} compartilhe meus dados com a Payrail.',
  unknownLinkTitle: 'Link inválido', unknownLinkText: 'Este link de cadastro não é válido. Peça um novo a {platform}.', forbiddenTitle: 'Link inválido',
  errors: {
    required: 'Este campo é obrigatório.', email: 'Informe um endereço de e-mail válido.', url: 'Informe um endereço de site válido, como https://example.com.',
    urlOrDescription: 'Informe o site da sua empresa ou descreva o que você vende.', phone: 'Informe um telefone válido.', dob: 'Informe uma data de nascimento válida.',
    dobFuture: 'A data de nascimento deve estar no passado.', ssn: 'Informe os 4 últimos dígitos ou os 9 dígitos do número de Seguro Social.', idNumber: 'Informe um número de documento válido (letras e dígitos).',
    postalCode: 'Informe um código postal válido.', routingNumber: 'O número de roteamento é inválido.', accountNumber: 'O número da conta é inválido.', iban: 'O IBAN é inválido.',
    terms: 'Você precisa aceitar os termos para continuar.', choose: 'Escolha uma das opções.', tooLong: 'Este valor é longo demais.',
  },
  mccs: {
    5734: 'Software', 5817: 'Aplicativos e produtos digitais', 5815: 'Mídia digital (livros, música, filmes)', 7372: 'Serviços de TI e programação', 5399: 'Comércio varejista em geral',
    5651: 'Vestuário', 5942: 'Livros', 5945: 'Brinquedos e jogos', 5992: 'Floriculturas', 5411: 'Alimentos', 5812: 'Restaurantes', 7011: 'Hotéis e hospedagem', 4121: 'Táxis e transporte por aplicativo',
    7299: 'Serviços pessoais', 7392: 'Consultoria', 7997: 'Clubes e academias', 8299: 'Educação', 8398: 'Instituições de caridade', 8999: 'Serviços profissionais',
  },
};
