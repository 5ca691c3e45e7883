// Profiles for the scale scenario, as CSV on standard output (a header line, then one row per
// profile), for the database's own bulk load:   node bench/scale-data.mjs <count> <user-id>
// Names are drawn (the same every run) from first names and surnames of many languages: Latin
// script with its accents (German, French, Spanish, Portuguese, Polish, Czech, Turkish, Nordic,
// Vietnamese…), Greek, Cyrillic, Japanese, Chinese, Korean, Arabic, Hebrew and Devanagari, so
// that the collation order and the folded search meet what a real directory holds. 20
// departments, 40 roles, 30 locations; an email for most profiles, a start date for most.
import { dbTimestamp } from '../tests/system/lib/database.mjs';

const [count, userId] = process.argv.slice(2).map(Number);
if (!(count > 0) || !(userId > 0)) throw new Error('usage: node bench/scale-data.mjs <count> <user-id>');

// [weight, first names, surnames, order]: 'western' writes "first last", 'family-first' "last
// first" (Vietnamese, Korean), 'eastern' the same without a space (Chinese, Japanese).
const scripts = [
  [30, ['James', 'Mary', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'David', 'Linda', 'William', 'Elizabeth', 'Sarah', 'Thomas',
    'Emily', 'Daniel', 'Olivia', 'Ethan', 'Sophia', 'Noah', 'Ava', 'Liam', 'Grace', 'Owen', 'Chloe', 'Lucas', 'Hannah', 'Jack',
    'Aaron', 'Isabella', 'Samuel', 'Zoë', 'Ada', 'Seán', 'Siobhán', 'Niamh', 'Ciarán', 'Aoife'],
  ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Moore', 'Jackson',
    'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott',
    'Adams', 'Baker', 'Lovelace', "O'Brien", 'O’Connor', 'McDonald', 'Ó Súilleabháin', 'Fitzgerald', 'Hughes', 'Kelly'], 'western'],
  [12, ['José', 'María', 'Jesús', 'Lucía', 'Sofía', 'Martín', 'Álvaro', 'Inés', 'Raúl', 'Ramón', 'Begoña', 'Íñigo', 'Nuria',
    'João', 'Conceição', 'Gonçalo', 'Letícia', 'Sebastião', 'Ana', 'Tomás'],
  ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Peña', 'Muñoz', 'Álvarez',
    'Ibáñez', 'Núñez', 'Castaño', 'Gonçalves', 'Conceição', 'Araújo', 'Magalhães', 'Simões', 'Brandão', 'Assunção'], 'western'],
  [10, ['Émile', 'Chloé', 'Hélène', 'François', 'Jean-Luc', 'Anaïs', 'Océane', 'Gaëlle', 'Jérôme', 'Benoît', 'Françoise', 'Noël',
    'Jürgen', 'Jörg', 'Günther', 'Bärbel', 'Uwe', 'Sören', 'Käthe', 'Maximilian', 'Lena'],
  ['Dubois', 'Lefèvre', 'Lefebvre', 'Girard', 'Bérenger', 'Moreau', 'Faure', 'Rousseau', 'Lemaître', 'Château', "D'Aubigné",
    'Müller', 'Schäfer', 'Größ', 'Weiß', 'Krämer', 'Köhler', 'Hoffmann', 'Schröder', 'Jäger', 'Bäcker', 'Strauß', 'Ölz'], 'western'],
  [8, ['Łukasz', 'Małgorzata', 'Wojciech', 'Agnieszka', 'Paweł', 'Zofia', 'Jiří', 'Kateřina', 'Přemysl', 'Dušan', 'Žofie',
    'Ştefan', 'Ioana', 'Mihai', 'Zsófia', 'Gergő', 'Ágnes', 'Đorđe', 'Miloš', 'Ljubica'],
  ['Kowalski', 'Wiśniewska', 'Wójcik', 'Kamiński', 'Lewandowska', 'Zieliński', 'Szymańska', 'Dąbrowski', 'Łączyński', 'Novák',
    'Dvořák', 'Černý', 'Procházková', 'Kučera', 'Popescu', 'Ionescu', 'Nagy', 'Szabó', 'Tóth', 'Đurić', 'Petrović', 'Šimić'], 'western'],
  [6, ['Søren', 'Åsa', 'Bjørn', 'Ørjan', 'Ægir', 'Sigríður', 'Þórunn', 'Guðmundur', 'Mikael', 'Päivi', 'Jyrki', 'Ingrid'],
    ['Sørensen', 'Ågren', 'Æbelø', 'Ødegård', 'Lindström', 'Åkesson', 'Jónsdóttir', 'Guðmundsson', 'Virtanen', 'Mäkinen',
      'Saarinen', 'Haaland', 'Bjørnstad'], 'western'],
  [3, ['Ayşe', 'Mehmet', 'Işık', 'İsmail', 'Gülşen', 'Çağla', 'Oğuz', 'Şükrü'],
    ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Öztürk', 'Aydın', 'Doğan', 'IŞIK'], 'western'],
  [2, ['Thị Hương', 'Văn Đức', 'Minh Thảo', 'Thu Phương', 'Quốc Bảo', 'Ngọc Ánh'],
    ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Đặng'], 'family-first'],
  [4, ['Οδυσσεύς', 'Αθηνά', 'Γιώργος', 'Ελένη', 'Δημήτρης', 'Κατερίνα', 'Νίκος', 'Σοφία', 'Χρήστος', 'Μαρία'],
    ['Παπαδόπουλος', 'Παπαδοπούλου', 'Οικονόμου', 'Γεωργίου', 'Νικολάου', 'Αθανασίου', 'Καραγιάννης', 'Βλάχος'], 'western'],
  [7, ['Алексей', 'Алёна', 'Дмитрий', 'Наталья', 'Сергей', 'Ольга', 'Иван', 'Татьяна', 'Юрий', 'Ксения', 'Олександр', 'Ганна'],
    ['Иванов', 'Смирнова', 'Кузнецов', 'Попова', 'Соколов', 'Лебедева', 'Козлов', 'Новикова', 'Шевченко', 'Коваленко',
      'Фёдоров', 'Ёлкина'], 'western'],
  [5, ['翔太', '陽菜', '大翔', 'さくら', '蓮', '結衣', 'ひなた', 'ユウキ', '美咲', '健太'],
    ['山田', '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '中村', '小林', '加藤'], 'eastern'],
  [5, ['伟', '芳', '娜', '秀英', '敏', '静', '小龙', '丽', '强', '磊', '军', '洋'],
    ['李', '王', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙'], 'eastern'],
  [3, ['민준', '서연', '도윤', '지우', '하준', '서윤', '예준', '지민'], ['김', '이', '박', '최', '정', '강', '조', '윤'], 'family-first'],
  [3, ['مُحَمَّد', 'فاطمة', 'أحمد', 'عائشة', 'عمر', 'ليلى', 'يوسف', 'مريم'],
    ['العلي', 'الحسن', 'حداد', 'منصور', 'خليل', 'الشامي', 'عبد الله', 'سعيد'], 'western'],
  [1, ['דָּוִד', 'שרה', 'יוסף', 'רחל', 'משה', 'נועה'], ['כהן', 'לוי', 'מזרחי', 'פרץ', 'ביטון', 'אברהם'], 'western'],
  [1, ['अर्जुन', 'प्रिया', 'राहुल', 'अनन्या', 'विक्रम', 'दीपिका'], ['शर्मा', 'वर्मा', 'गुप्ता', 'पटेल', 'सिंह'], 'western'],
  [3, ['Aarav', 'Priya', 'Rohan', 'Ananya', 'Vikram', 'Lakshmi', 'Deepika', 'Arjun'],
    ['Sharma', 'Iyer', 'Reddy', 'Nair', 'Chatterjee', 'Krishnan', 'Patel', 'Gupta'], 'western'],
];
const departments = ['Engineering', 'Finance', 'People', 'Sales', 'Support', 'Marketing', 'Legal', 'Operations', 'Research',
  'Design', 'Procurement', 'Logistics', 'Facilities', 'Security', 'Data Science', 'Customer Success', 'Quality Assurance',
  'Communications', 'Recherche & Développement', 'Relações Públicas'];
const roles = ['Engineer', 'Senior Engineer', 'Staff Engineer', 'Engineering Manager', 'Accountant', 'Controller', 'Analyst',
  'Financial Analyst', 'Recruiter', 'HR Partner', 'Account Executive', 'Sales Manager', 'Support Specialist', 'Support Lead',
  'Marketing Manager', 'Content Writer', 'Counsel', 'Paralegal', 'Operations Manager', 'Coordinator', 'Researcher',
  'Scientist', 'Designer', 'UX Researcher', 'Buyer', 'Planner', 'Dispatcher', 'Facilities Manager', 'Security Engineer',
  'Data Scientist', 'Data Engineer', 'Customer Success Manager', 'QA Engineer', 'Test Lead', 'Communications Officer',
  'Ingénieur', 'Chef de projet', 'Entwickler', 'Técnico', 'Directeur'];
const locations = ['London', 'Dublin', 'Paris', 'Lyon', 'Berlin', 'München', 'Zürich', 'Wien', 'Madrid', 'Málaga', 'Lisboa',
  'São Paulo', 'Kraków', 'Praha', 'Budapest', 'İstanbul', 'Αθήνα', 'Москва', 'Київ', '東京', '大阪', '北京', '上海', '서울',
  'دبي', 'תל אביב', 'मुंबई', 'Bengaluru', 'New York', 'Montréal'];

// A small deterministic generator (the same profiles every run).
let seed = 0x2545f491;
const random = () => {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];
const totalWeight = scripts.reduce((sum, [weight]) => sum + weight, 0);
function pickScript() {
  let r = random() * totalWeight;
  for (const script of scripts) if ((r -= script[0]) < 0) return script;
  return scripts[0];
}
const csv = (value) => (value === null ? '' : /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const pad = (n, width = 2) => String(n).padStart(width, '0');

const out = ['name,role,department,email,phone,location,start_date,user_id,created_at,updated_at'];
const start = Date.UTC(2024, 0, 1);
const step = (Date.UTC(2026, 11, 1) - start) / count;
for (let i = 0; i < count; i++) {
  const [, firsts, lasts, order] = pickScript();
  const first = pick(firsts);
  const last = pick(lasts);
  const name = order === 'eastern' ? `${last}${first}` : order === 'family-first' ? `${last} ${first}` : `${first} ${last}`;
  const email = random() < 0.8 ? `p${String(i).padStart(6, '0')}@example.com` : null;
  const phone = random() < 0.5 ? `+44 20 7946 ${pad(i % 10000, 4)}` : null;
  const startDate = random() < 0.85
    ? `${2000 + Math.floor(random() * 27)}-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}` : null;
  const created = dbTimestamp(new Date(start + i * step));
  out.push([name, pick(roles), pick(departments), email, phone, pick(locations), startDate, String(userId), created, created]
    .map(csv).join(','));
  if (out.length === 10000) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '');
