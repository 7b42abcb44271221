import type { OnboardingTexts } from './onboarding-text-shape.ts';

export const ja: OnboardingTexts = {
  title: '{platform} で支払いを設定', intro: '{platform} は Payrail と連携してお客様に入金します。お客様と事業についてお知らせください。お伺いするのは、法律とカードブランドが求める情報だけです。',
  testMode: 'テストモード', testHint: 'テストモード: 実際の銀行や本人確認サービスでは何も確認されません。Stripe のテスト値 (docs/connect.md) が確認済みになります。',
  correctFields: '下記の項目を修正してください。', submit: '送信', continue: '次へ', required: '(必須)',
  businessTypeSection: '事業形態', businessType: '事業の種類',
  businessTypes: { individual: '個人または個人事業主', company: '法人', non_profit: '非営利団体', government_entity: '政府機関' },
  profileSection: 'お客様の事業', mcc: '業種', mccChoose: '業種を選択', website: '事業のウェブサイト', websiteHint: 'ウェブサイトがない場合は、販売している商品を下に記入してください。',
  productDescription: '商品の説明', businessName: '事業者名',
  personSection: '個人情報', firstName: '名', lastName: '姓', email: 'メールアドレス', phone: '電話番号', dob: '生年月日', day: '日', month: '月', year: '年',
  addressSection: '自宅住所', line1: '住所 1', line2: '住所 2 (任意)', city: '市区町村', postalCode: '郵便番号', state: '州',
  ssn: '米国社会保障番号 (SSN)', ssnHint: '9 桁すべて、または下 4 桁のみ。暗号化され、再び表示されることはありません。',
  idNumber: '身分証明書の番号', idNumberHint: '暗号化され、再び表示されることはありません。',
  companySection: '法人の情報', companyName: '正式な法人名', companyPhone: '法人の電話番号', taxId: '税務番号 (法人番号、VAT、EIN)',
  taxIdHint: '暗号化され、再び表示されることはありません。', companyAddressSection: '登記住所',
  ownersProvided: '法人の 25% 以上を保有する全員を記入しました。', directorsProvided: '法人の取締役を記入しました。',
  executivesProvided: '法人の経営幹部を記入しました。',
  bankSection: '入金先の銀行口座', routingNumber: 'ルーティング番号', accountNumber: '口座番号', iban: 'IBAN', bankHint: '入金はこの口座に行われます。番号は暗号化され、再び表示されることはありません。',
  termsSection: '規約', terms: 'Payrail サービス契約に同意し、{platform} が私の情報を Payrail と共有することに同意します。',
  unknownLinkTitle: '無効なリンク', unknownLinkText: 'この登録リンクは無効です。{platform} に新しいリンクを依頼してください。', forbiddenTitle: '無効なリンク',
  errors: {
    required: 'この項目は必須です。', email: '有効なメールアドレスを入力してください。', url: '有効なウェブサイトのアドレスを入力してください (例: https://example.com)。',
    urlOrDescription: '事業のウェブサイトを入力するか、販売している商品を記入してください。', phone: '有効な電話番号を入力してください。', dob: '有効な生年月日を入力してください。',
    dobFuture: '生年月日は過去の日付にしてください。', ssn: '社会保障番号の下 4 桁、または 9 桁すべてを入力してください。', idNumber: '有効な身分証明書の番号 (英字と数字) を入力してください。',
    postalCode: '有効な郵便番号を入力してください。', routingNumber: 'ルーティング番号が無効です。', accountNumber: '口座番号が無効です。', iban: 'IBAN が無効です。',
    terms: '続行するには規約に同意してください。', choose: 'いずれかを選択してください。', tooLong: '値が長すぎます。',
  },
  mccs: {
    5734: 'ソフトウェア', 5817: 'アプリ・デジタル商品', 5815: 'デジタルメディア (書籍、音楽、映画)', 7372: 'IT サービス・プログラミング', 5399: '総合小売',
    5651: '衣料品', 5942: '書籍', 5945: 'おもちゃ・ゲーム', 5992: '生花店', 5411: '食料品', 5812: 'レストラン', 7011: 'ホテル・宿泊', 4121: 'タクシー・配車',
    7299: '個人向けサービス', 7392: 'コンサルティング', 7997: 'クラブ・フィットネス', 8299: '教育', 8398: '慈善団体', 8999: '専門サービス',
  },
};
