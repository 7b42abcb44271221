import type { OnboardingTexts } from './onboarding-text-shape.ts';

export const es: OnboardingTexts = {
  title: 'Configura los pagos con {platform}', intro: '{platform} trabaja con Payrail para pagarte. Cuéntanos sobre ti y tu empresa; solo pedimos lo que exigen la ley y las redes de tarjetas.',
  testMode: 'Modo de prueba', testHint: 'Modo de prueba: nada se comprueba con un banco real ni con un servicio de identidad; los valores de prueba de Stripe (docs/connect.md) se verifican.',
  correctFields: 'Corrige los campos marcados a continuación.', submit: 'Enviar', continue: 'Continuar', required: '(obligatorio)',
  businessTypeSection: 'Tipo de empresa', businessType: 'Tipo de empresa',
  businessTypes: { individual: 'Particular o autónomo', company: 'Sociedad', non_profit: 'Organización sin ánimo de lucro', government_entity: 'Entidad pública' },
  profileSection: 'Tu empresa', mcc: 'Sector', mccChoose: 'Elige un sector', website: 'Sitio web de la empresa', websiteHint: '¿No tienes sitio web? Describe abajo lo que vendes.',
  productDescription: 'Descripción de los productos', businessName: 'Nombre de la empresa',
  personSection: 'Datos personales', firstName: 'Nombre', lastName: 'Apellidos', email: 'Correo electrónico', phone: 'Número de teléfono', dob: 'Fecha de nacimiento', day: 'Día', month: 'Mes', year: 'Año',
  addressSection: 'Domicilio', line1: 'Dirección, línea 1', line2: 'Dirección, línea 2 (opcional)', city: 'Ciudad', postalCode: 'Código postal', state: 'Estado',
  ssn: 'Número de la Seguridad Social de EE. UU. (SSN)', ssnHint: 'Los nueve dígitos o solo los cuatro últimos. Se cifra y no se vuelve a mostrar.',
  idNumber: 'Número del documento de identidad', idNumberHint: 'Se cifra y no se vuelve a mostrar.',
  companySection: 'Datos de la sociedad', companyName: 'Razón social', companyPhone: 'Teléfono de la sociedad', taxId: 'Identificación fiscal (NIF, IVA o EIN)',
  taxIdHint: 'Se cifra y no se vuelve a mostrar.', companyAddressSection: 'Domicilio social',
  ownersProvided: 'He indicado a todas las personas que poseen el 25 % o más de la sociedad.', directorsProvided: 'He indicado a los administradores de la sociedad.',
  executivesProvided: 'He indicado a los directivos de la sociedad.',
  bankSection: 'Cuenta bancaria para los pagos', routingNumber: 'Número de ruta (routing number)', accountNumber: 'Número de cuenta', iban: 'IBAN', bankHint: 'Los pagos se envían a esta cuenta. El número se cifra y no se vuelve a mostrar.',
  termsSection: 'Condiciones', terms: 'Acepto el Contrato de Servicios de Payrail y que {platform} comparta mis datos con Payrail.',
  unknownLinkTitle: 'Enlace no válido', unknownLinkText: 'Este enlace de registro no es válido. Pide uno nuevo a {platform}.', forbiddenTitle: 'Enlace no válido',
  errors: {
    required: 'Este campo es obligatorio.', email: 'Introduce una dirección de correo electrónico válida.', url: 'Introduce una dirección web válida, por ejemplo https://example.com.',
    urlOrDescription: 'Indica el sitio web de tu empresa o describe lo que vendes.', phone: 'Introduce un número de teléfono válido.', dob: 'Introduce una fecha de nacimiento válida.',
    dobFuture: 'La fecha de nacimiento debe ser anterior a hoy.', ssn: 'Introduce los 4 últimos dígitos o los 9 dígitos del número de la Seguridad Social.', idNumber: 'Introduce un número de documento válido (letras y dígitos).',
    postalCode: 'Introduce un código postal válido.', routingNumber: 'El número de ruta no es válido.', accountNumber: 'El número de cuenta no es válido.', iban: 'El IBAN no es válido.',
    terms: 'Debes aceptar las condiciones para continuar.', choose: 'Elige una de las opciones.', tooLong: 'Este valor es demasiado largo.',
  },
  mccs: {
    5734: 'Software', 5817: 'Aplicaciones y bienes digitales', 5815: 'Medios digitales (libros, música, películas)', 7372: 'Servicios informáticos y programación', 5399: 'Comercio general',
    5651: 'Ropa', 5942: 'Libros', 5945: 'Juguetes y juegos', 5992: 'Floristerías', 5411: 'Alimentación', 5812: 'Restaurantes', 7011: 'Hoteles y alojamiento', 4121: 'Taxis y VTC',
    7299: 'Servicios personales', 7392: 'Consultoría', 7997: 'Clubes y gimnasios', 8299: 'Educación', 8398: 'Organizaciones benéficas', 8999: 'Servicios profesionales',
  },
};
