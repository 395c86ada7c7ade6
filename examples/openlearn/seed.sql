-- OpenLearn Colombia: realistic, skewed data for the 8 tables of schema.sql.
--
-- Plain SQL, set-based (generate_series, no loops, no psql meta-commands): it can be sent as one
-- multi-statement query, or run with psql. Run it once, on the empty tables schema.sql creates.
--
-- Scale: the setting `openlearn.scale` (default 1, at most 100). Scale 1 is 100 000 articles, 20 000
-- users, 40 000 alerts and about 900 000 rows in all (README.md says how long it takes); the
-- integration test uses 0.02.
-- Choose it in the same session, before this file runs:
--
--   SET openlearn.scale = '0.02';          -- then send this file as one query, in the same session
--   PGOPTIONS='-c openlearn.scale=0.02' psql -v ON_ERROR_STOP=1 --single-transaction -f seed.sql
--
-- (--single-transaction: the file sets the foreign keys aside while it loads; a failure half-way must
-- roll that back too. Sent as one query it is one transaction anyway.)
--
-- Deterministic: every table starts from its own setseed(), so a scale gives the same data every time
-- on a given PostgreSQL major (the generator behind random() is not the same in every major). Ids,
-- names, emails, tokens, roles and the power learners derive from the id, so the values that
-- indexes.yaml's queries name exist at every scale from 0.02 up. Times are relative to now(): the
-- newest articles are minutes old, the oldest two years.
--
-- Shapes that indexes.yaml relies on (each partial index has a selective predicate):
--   sources and categories are Zipf-like (El Tiempo a third of the articles, La Patria under 2 %);
--   ~11 % of articles are behind a paywall (big sources, last year only); 3 % have no body;
--   users: ~94 % students, 2 % analysts, 4 % teachers, 0.25 % admins; 3 % inactive; 29 % hold a
--   refresh token, 1 % of users an expired one;
--   learners save ~8 words, have ~7 sessions and read ~9 articles on average (exponential), except the
--   power learners 42, 1042, 2042, ... with some 200 words, 150 sessions and 200 articles each: the
--   per-learner composite indexes (user + date, user + last access, ...) matter most for them, and
--   indexes.yaml's per-learner queries use user 42;
--   about 0.3 % of learning sessions are open (ended_at IS NULL);
--   about 5 % of extracted words are colombianisms and 5 % advanced (C1-C2);
--   about 1.4 % of alerts are active and 2.7 % acknowledged; only analysts acknowledge alerts.

SELECT setseed(0.20240601);
-- Enough memory for the joins and sorts below; put back at the end.
CREATE TEMP TABLE ol_saved_settings AS SELECT current_setting('work_mem') AS work_mem;
SELECT set_config('work_mem', '256MB', false);

-- ---------------------------------------------------------------------------------------------------
-- Settings: one row.
CREATE TEMP TABLE ol_settings (
    scale        numeric     NOT NULL
                 CONSTRAINT "openlearn.scale must be a number above 0 and at most 100" CHECK (scale > 0 AND scale <= 100),
    t0           timestamptz NOT NULL,
    n_content    integer     NOT NULL,
    n_users      integer     NOT NULL,
    n_alerts     integer     NOT NULL
);

INSERT INTO ol_settings
SELECT scale, date_trunc('minute', now()),
       greatest(100, round(100000 * scale)),
       greatest(60, round(20000 * scale)),
       greatest(50, round(40000 * scale))
FROM (SELECT coalesce(nullif(current_setting('openlearn.scale', true), ''), '1')::numeric AS scale) s;

-- ---------------------------------------------------------------------------------------------------
-- Weighted lists. A list's items are drawn with probability weight / sum(weight): `zipf` gives the
-- k-th item the weight 1 / k^zipf (0 = uniform). ol_dist holds each list as an array of items and an
-- array of cumulative lower bounds, so that items[width_bucket(random(), lb)] draws one.
CREATE TEMP TABLE ol_list (
    list   text    NOT NULL,
    k      integer NOT NULL,
    item   text    NOT NULL,
    weight float8  NOT NULL
);

INSERT INTO ol_list (list, k, item, weight)
SELECT v.list, u.k, u.item, 1 / power(u.k, v.zipf)
FROM (VALUES
    ('source', 1.1, ARRAY['El Tiempo', 'El Espectador', 'Semana', 'El Colombiano', 'Portafolio', 'La República',
        'El País Cali', 'El Heraldo', 'Vanguardia', 'El Universal', 'Pulzo', 'La Silla Vacía', 'Cambio',
        'Razón Pública', 'La Patria']),
    ('author', 1.0, ARRAY['Redacción', 'Redacción Política', 'Redacción Economía', 'Colprensa', 'EFE',
        'Juan Camilo Ramírez', 'Laura Valentina Ortiz', 'Andrés Felipe Rojas', 'María Paula Castro',
        'Santiago Villegas', 'Natalia Herrera', 'Diego Alejandro Suárez', 'Catalina Mejía', 'Julián Cárdenas',
        'Paola Andrea Gil', 'Sebastián Londoño', 'Daniela Quintero', 'Camilo Restrepo', 'Ana María Duque',
        'Felipe Zuluaga']),
    ('place', 0.9, ARRAY['en Bogotá', 'en Medellín', 'en Cali', 'en Barranquilla', 'en Cartagena', 'en Bucaramanga',
        'en el Cauca', 'en Antioquia', 'en la Costa Caribe', 'en el Pacífico', 'en Cúcuta', 'en Santa Marta',
        'en Pereira', 'en Nariño', 'en el Catatumbo', 'en Manizales', 'en el Chocó', 'en Villavicencio',
        'en Arauca', 'en Leticia', 'en San Andrés', 'en Quibdó', 'en Inírida', 'en Mitú']),
    ('town', 1.0, ARRAY['Bogotá', 'Medellín', 'Cali', 'Barranquilla', 'Cartagena', 'Bucaramanga', 'Cúcuta',
        'Pereira', 'Santa Marta', 'Ibagué', 'Manizales', 'Villavicencio', 'Pasto', 'Montería', 'Neiva',
        'Armenia', 'Popayán', 'Valledupar', 'Sincelejo', 'Tunja', 'Riohacha', 'Florencia', 'Quibdó', 'Yopal',
        'Arauca', 'Leticia', 'San Andrés', 'Mocoa', 'San José del Guaviare', 'Puerto Carreño', 'Inírida',
        'Mitú']),
    ('department', 1.0, ARRAY['Antioquia', 'Cauca', 'Valle del Cauca', 'Bogotá D.C.', 'Norte de Santander',
        'Nariño', 'Atlántico', 'Bolívar', 'Chocó', 'Santander', 'Córdoba', 'Arauca', 'Meta', 'Cesar', 'Huila',
        'Magdalena', 'Tolima', 'Caquetá', 'Putumayo', 'La Guajira', 'Sucre', 'Boyacá', 'Caldas', 'Risaralda',
        'Quindío', 'Cundinamarca', 'Casanare', 'Guaviare', 'Amazonas', 'Vichada', 'Guainía', 'Vaupés']),
    ('person', 1.0, ARRAY['Gustavo Petro', 'Francia Márquez', 'Carlos Fernando Galán', 'Federico Gutiérrez',
        'Álvaro Uribe', 'Luis Díaz', 'James Rodríguez', 'Karol G', 'Shakira', 'Claudia López', 'Alejandro Char',
        'Iván Duque', 'Vicky Dávila', 'Egan Bernal', 'Néstor Lorenzo', 'Carlos Vives', 'Sergio Fajardo',
        'Paloma Valencia', 'María José Pizarro', 'Humberto de la Calle', 'Linda Caicedo', 'Juanes',
        'Mariana Pajón', 'Rodolfo Llinás', 'Fernando Botero', 'Gabriel García Márquez']),
    ('organization', 1.0, ARRAY['Gobierno nacional', 'Congreso de la República', 'Fiscalía', 'Ecopetrol',
        'Banco de la República', 'Policía Nacional', 'Ejército Nacional', 'Corte Constitucional', 'Registraduría',
        'DANE', 'Procuraduría', 'Contraloría', 'ELN', 'Clan del Golfo', 'Bancolombia', 'Avianca', 'Fecode',
        'Federación Nacional de Cafeteros', 'Defensoría del Pueblo', 'ONU', 'Invima', 'IDEAM', 'Icetex',
        'Minciencias', 'Instituto Humboldt']),
    ('tag', 1.0, ARRAY['colombia', 'última hora', 'actualidad', 'regiones', 'análisis', 'opinión', 'video',
        'explicativo', 'exclusivo', 'datos']),
    ('topic', 1.0, ARRAY['política nacional', 'economía', 'orden público', 'fútbol', 'gobierno local',
        'relaciones internacionales', 'cultura', 'salud pública', 'justicia', 'movilidad', 'empleo',
        'medio ambiente', 'educación', 'tecnología', 'migración', 'derechos humanos', 'energía', 'vivienda',
        'agricultura', 'turismo', 'ciberseguridad', 'minería', 'ciencia', 'biodiversidad', 'astronomía']),
    ('verb', 0, ARRAY['anuncia cambios en', 'aprueba', 'rechaza', 'investiga', 'cuestiona', 'defiende',
        'advierte sobre', 'celebra', 'propone ajustes a', 'suspende', 'analiza', 'revisa', 'confirma',
        'presenta un plan para', 'pide claridad sobre']),
    ('group', 0.5, ARRAY['los ciudadanos', 'los comerciantes', 'las familias', 'los jóvenes', 'los campesinos',
        'los transportadores', 'los estudiantes', 'los trabajadores informales', 'los migrantes',
        'las comunidades indígenas', 'los pequeños empresarios', 'los adultos mayores']),
    ('period', 0, ARRAY['el próximo año', 'los próximos meses', 'esta semana', 'el segundo semestre',
        'la temporada de fin de año', 'los próximos días']),
    ('factor', 0, ARRAY['el precio del petróleo', 'la tasa de cambio', 'el clima', 'la seguridad en las vías',
        'el presupuesto nacional', 'la voluntad política', 'la demanda interna', 'la cooperación internacional']),
    ('according', 0.7, ARRAY['fuentes oficiales', 'analistas del sector', 'la Defensoría del Pueblo',
        'voceros del gremio', 'el Ministerio de Hacienda', 'líderes de la región', 'testigos en la zona',
        'un informe de la Contraloría']),
    ('reaction', 0, ARRAY['continuará la próxima semana', 'generó preocupación entre los analistas',
        'dividió a la opinión pública', 'tuvo eco en las redes sociales', 'será clave en los próximos meses',
        'quedó aplazada hasta nuevo aviso']),
    ('alert_type', 1.0, ARRAY['security', 'protest', 'political', 'economic', 'environmental', 'health',
        'infrastructure', 'cyber']),
    ('severity', 1.3, ARRAY['low', 'medium', 'high', 'critical'])
) AS v(list, zipf, items)
CROSS JOIN LATERAL unnest(v.items) WITH ORDINALITY AS u(item, k);

-- Categories and, per category, who acts, what about, and how it is tagged.
INSERT INTO ol_list (list, k, item, weight)
SELECT v.list, u.k, u.item, coalesce(v.weights[u.k], 1 / power(u.k, 0.8))
FROM (VALUES
    ('category', ARRAY[22, 18, 12, 12, 8, 8, 7, 6, 4, 3, 2, 2, 1]::float8[],
        ARRAY['política', 'economía', 'judicial', 'deportes', 'seguridad', 'regiones', 'internacional',
              'entretenimiento', 'salud', 'tecnología', 'medio ambiente', 'educación', 'ciencia']),
    ('subject:política', NULL, ARRAY['El Gobierno nacional', 'El Congreso', 'El Senado', 'La Cámara de Representantes',
        'El presidente', 'La Registraduría', 'El Consejo Nacional Electoral', 'La oposición']),
    ('object:política', NULL, ARRAY['la reforma política', 'las elecciones regionales', 'la reforma pensional',
        'la paz total', 'el presupuesto general', 'la reforma laboral', 'la consulta popular', 'el diálogo con el ELN']),
    ('tags:política', NULL, ARRAY['gobierno', 'congreso', 'elecciones', 'paz total', 'reformas']),
    ('subject:economía', NULL, ARRAY['El Banco de la República', 'El Ministerio de Hacienda', 'Ecopetrol', 'El DANE',
        'Fedesarrollo', 'Los gremios', 'Los exportadores', 'Bancolombia']),
    ('object:economía', NULL, ARRAY['la inflación', 'las tasas de interés', 'el precio del dólar', 'el desempleo',
        'la reforma tributaria', 'el precio de la gasolina', 'las exportaciones de café', 'la inversión extranjera']),
    ('tags:economía', NULL, ARRAY['inflación', 'dólar', 'empleo', 'impuestos', 'petróleo']),
    ('subject:judicial', NULL, ARRAY['La Fiscalía', 'La Corte Suprema', 'La Corte Constitucional', 'La Procuraduría',
        'La Contraloría', 'Un juez de Bogotá', 'La JEP']),
    ('object:judicial', NULL, ARRAY['el caso de corrupción en la UNGRD', 'la extradición de un narcotraficante',
        'las medidas de aseguramiento', 'la investigación por falsos positivos', 'el fallo sobre la tutela',
        'el proceso contra el exalcalde']),
    ('tags:judicial', NULL, ARRAY['justicia', 'corrupción', 'fiscalía', 'jep']),
    ('subject:deportes', NULL, ARRAY['La Selección Colombia', 'Millonarios', 'Atlético Nacional', 'Junior de Barranquilla',
        'América de Cali', 'Egan Bernal', 'Luis Díaz', 'La Federación Colombiana de Fútbol']),
    ('object:deportes', NULL, ARRAY['la Copa América', 'las eliminatorias al Mundial', 'la final de la Liga BetPlay',
        'el Tour de Francia', 'el fichaje de un delantero', 'la Vuelta a Colombia']),
    ('tags:deportes', NULL, ARRAY['fútbol', 'selección colombia', 'liga betplay', 'ciclismo']),
    ('subject:seguridad', NULL, ARRAY['La Policía Nacional', 'El Ejército', 'La Defensoría del Pueblo',
        'La Gobernación del Cauca', 'Las autoridades locales']),
    ('object:seguridad', NULL, ARRAY['el paro armado', 'las disidencias de las FARC', 'el secuestro de un comerciante',
        'la extorsión en el comercio', 'los cultivos de coca', 'las minas antipersonal', 'el desplazamiento forzado']),
    ('tags:seguridad', NULL, ARRAY['seguridad', 'conflicto armado', 'narcotráfico', 'derechos humanos']),
    ('subject:regiones', NULL, ARRAY['La Alcaldía de Bogotá', 'La Alcaldía de Medellín', 'La Gobernación de Antioquia',
        'El Concejo de Cali', 'La Alcaldía de Barranquilla', 'Los vecinos']),
    ('object:regiones', NULL, ARRAY['el metro de Bogotá', 'el racionamiento de agua', 'la movilidad', 'el pico y placa',
        'la temporada de lluvias', 'el alumbrado navideño']),
    ('tags:regiones', NULL, ARRAY['bogotá', 'movilidad', 'medellín', 'agua']),
    ('subject:internacional', NULL, ARRAY['La Cancillería', 'El Gobierno de Venezuela', 'La ONU', 'Estados Unidos',
        'La Unión Europea']),
    ('object:internacional', NULL, ARRAY['la frontera con Venezuela', 'la migración venezolana',
        'las relaciones con Estados Unidos', 'la cumbre de la OEA', 'el acuerdo comercial']),
    ('tags:internacional', NULL, ARRAY['venezuela', 'migración', 'diplomacia', 'estados unidos']),
    ('subject:entretenimiento', NULL, ARRAY['Karol G', 'Shakira', 'Carlos Vives', 'El Festival Vallenato', 'Netflix',
        'Los organizadores del Estéreo Picnic']),
    ('object:entretenimiento', NULL, ARRAY['la nueva gira', 'el Festival de la Leyenda Vallenata',
        'el Carnaval de Barranquilla', 'la serie sobre Pablo Escobar', 'los Premios Grammy Latinos',
        'el concierto en El Campín']),
    ('tags:entretenimiento', NULL, ARRAY['música', 'carnaval', 'vallenato', 'cine']),
    ('subject:salud', NULL, ARRAY['El Ministerio de Salud', 'El Invima', 'Las EPS', 'Los hospitales públicos',
        'La Superintendencia de Salud']),
    ('object:salud', NULL, ARRAY['la reforma a la salud', 'la crisis de las EPS', 'el brote de dengue',
        'el desabastecimiento de medicamentos', 'la vacunación contra el sarampión']),
    ('tags:salud', NULL, ARRAY['salud', 'eps', 'dengue', 'vacunación']),
    ('subject:tecnología', NULL, ARRAY['El MinTIC', 'Rappi', 'Las empresas de telecomunicaciones', 'Los expertos']),
    ('object:tecnología', NULL, ARRAY['la red 5G', 'la inteligencia artificial', 'los ataques de ransomware',
        'la conectividad rural', 'las estafas por WhatsApp']),
    ('tags:tecnología', NULL, ARRAY['tecnología', 'inteligencia artificial', 'startups', 'ciberseguridad']),
    ('subject:medio ambiente', NULL, ARRAY['El Ministerio de Ambiente', 'El IDEAM', 'Parques Nacionales',
        'Las comunidades indígenas']),
    ('object:medio ambiente', NULL, ARRAY['la deforestación en la Amazonía', 'el fenómeno de El Niño',
        'los incendios forestales', 'la minería ilegal', 'la protección de los páramos']),
    ('tags:medio ambiente', NULL, ARRAY['medio ambiente', 'amazonía', 'clima', 'minería']),
    ('subject:educación', NULL, ARRAY['El Ministerio de Educación', 'La Universidad Nacional', 'Fecode', 'El Icetex',
        'Los rectores']),
    ('object:educación', NULL, ARRAY['las pruebas Saber 11', 'la matrícula cero', 'el paro de maestros',
        'los créditos del Icetex', 'la jornada única']),
    ('tags:educación', NULL, ARRAY['educación', 'universidades', 'icfes']),
    ('subject:ciencia', NULL, ARRAY['Investigadores de la Universidad de los Andes', 'El Instituto Humboldt',
        'Minciencias', 'Científicos colombianos']),
    ('object:ciencia', NULL, ARRAY['una nueva especie de rana', 'el genoma del café', 'la misión espacial',
        'el observatorio astronómico', 'los corales del Caribe']),
    ('tags:ciencia', NULL, ARRAY['ciencia', 'investigación', 'biodiversidad']),
    -- Keywords of intelligence alerts, per alert type.
    ('keywords:security', NULL, ARRAY['orden público', 'disidencias', 'extorsión', 'paro armado', 'secuestro',
        'minas antipersonal', 'desplazamiento']),
    ('keywords:protest', NULL, ARRAY['paro', 'bloqueo', 'marcha', 'minga indígena', 'plantón', 'cacerolazo']),
    ('keywords:political', NULL, ARRAY['congreso', 'elecciones', 'moción de censura', 'revocatoria']),
    ('keywords:economic', NULL, ARRAY['dólar', 'inflación', 'combustibles', 'desabastecimiento']),
    ('keywords:environmental', NULL, ARRAY['lluvias', 'deslizamiento', 'incendio forestal', 'sequía', 'creciente súbita']),
    ('keywords:health', NULL, ARRAY['dengue', 'eps', 'brote', 'sarampión']),
    ('keywords:infrastructure', NULL, ARRAY['cierre vial', 'derrumbe', 'apagón', 'puente']),
    ('keywords:cyber', NULL, ARRAY['ransomware', 'filtración de datos', 'phishing'])
) AS v(list, weights, items)
CROSS JOIN LATERAL unnest(v.items) WITH ORDINALITY AS u(item, k);

CREATE TEMP TABLE ol_dist AS
SELECT list, array_agg(item ORDER BY k) AS items, array_agg(lb ORDER BY k) AS lb, count(*)::integer AS n
FROM (
    SELECT list, k, item,
           (sum(weight) OVER (PARTITION BY list ORDER BY k) - weight) / sum(weight) OVER (PARTITION BY list) AS lb
    FROM ol_list
) AS w
GROUP BY list;

-- The lists drawn per row, as one row to cross join (one column pair per list). A view, not a table:
-- its scalar subqueries run once and keep the arrays in memory, where a table would TOAST such a wide
-- row and decompress the arrays again for every draw.
CREATE TEMP VIEW ol_d AS
SELECT (SELECT items FROM ol_dist WHERE list = 'source') AS source_i,
       (SELECT lb    FROM ol_dist WHERE list = 'source') AS source_lb,
       (SELECT items FROM ol_dist WHERE list = 'category') AS category_i,
       (SELECT lb    FROM ol_dist WHERE list = 'category') AS category_lb,
       (SELECT items FROM ol_dist WHERE list = 'author') AS author_i,
       (SELECT lb    FROM ol_dist WHERE list = 'author') AS author_lb,
       (SELECT items FROM ol_dist WHERE list = 'place') AS place_i,
       (SELECT lb    FROM ol_dist WHERE list = 'place') AS place_lb,
       (SELECT items FROM ol_dist WHERE list = 'town') AS town_i,
       (SELECT lb    FROM ol_dist WHERE list = 'town') AS town_lb,
       (SELECT items FROM ol_dist WHERE list = 'department') AS department_i,
       (SELECT lb    FROM ol_dist WHERE list = 'department') AS department_lb,
       (SELECT items FROM ol_dist WHERE list = 'person') AS person_i,
       (SELECT lb    FROM ol_dist WHERE list = 'person') AS person_lb,
       (SELECT items FROM ol_dist WHERE list = 'organization') AS organization_i,
       (SELECT lb    FROM ol_dist WHERE list = 'organization') AS organization_lb,
       (SELECT items FROM ol_dist WHERE list = 'tag') AS tag_i,
       (SELECT lb    FROM ol_dist WHERE list = 'tag') AS tag_lb,
       (SELECT items FROM ol_dist WHERE list = 'topic') AS topic_i,
       (SELECT lb    FROM ol_dist WHERE list = 'topic') AS topic_lb,
       (SELECT items FROM ol_dist WHERE list = 'verb') AS verb_i,
       (SELECT lb    FROM ol_dist WHERE list = 'verb') AS verb_lb,
       (SELECT items FROM ol_dist WHERE list = 'group') AS group_i,
       (SELECT lb    FROM ol_dist WHERE list = 'group') AS group_lb,
       (SELECT items FROM ol_dist WHERE list = 'period') AS period_i,
       (SELECT lb    FROM ol_dist WHERE list = 'period') AS period_lb,
       (SELECT items FROM ol_dist WHERE list = 'factor') AS factor_i,
       (SELECT lb    FROM ol_dist WHERE list = 'factor') AS factor_lb,
       (SELECT items FROM ol_dist WHERE list = 'according') AS according_i,
       (SELECT lb    FROM ol_dist WHERE list = 'according') AS according_lb,
       (SELECT items FROM ol_dist WHERE list = 'reaction') AS reaction_i,
       (SELECT lb    FROM ol_dist WHERE list = 'reaction') AS reaction_lb,
       (SELECT items FROM ol_dist WHERE list = 'alert_type') AS alert_type_i,
       (SELECT lb    FROM ol_dist WHERE list = 'alert_type') AS alert_type_lb,
       (SELECT items FROM ol_dist WHERE list = 'severity') AS severity_i,
       (SELECT lb    FROM ol_dist WHERE list = 'severity') AS severity_lb;

-- Per-category lists, to join on the category.
CREATE TEMP TABLE ol_cat AS
SELECT c.category, c.cat_no, translate(c.category, ' áéíóú', '-aeiou') AS slug,
       s.items AS subject_i, s.lb AS subject_lb,
       o.items AS object_i,  o.lb AS object_lb,
       t.items AS tags_i,    t.lb AS tags_lb
FROM unnest((SELECT items FROM ol_dist WHERE list = 'category')) WITH ORDINALITY AS c(category, cat_no)
JOIN ol_dist s ON s.list = 'subject:' || c.category
JOIN ol_dist o ON o.list = 'object:' || c.category
JOIN ol_dist t ON t.list = 'tags:' || c.category;

-- Sources: web domain and the share of their last year's articles that is behind a paywall.
CREATE TEMP TABLE ol_source (source text PRIMARY KEY, domain text NOT NULL, paywall_share float8 NOT NULL);
INSERT INTO ol_source VALUES
    ('El Tiempo', 'eltiempo.com', 0.25), ('El Espectador', 'elespectador.com', 0.20), ('Semana', 'semana.com', 0.25),
    ('El Colombiano', 'elcolombiano.com', 0.10), ('Portafolio', 'portafolio.co', 0.20),
    ('La República', 'larepublica.co', 0.20), ('El País Cali', 'elpais.com.co', 0.05),
    ('El Heraldo', 'elheraldo.co', 0), ('Vanguardia', 'vanguardia.com', 0), ('El Universal', 'eluniversal.com.co', 0),
    ('Pulzo', 'pulzo.com', 0), ('La Silla Vacía', 'lasillavacia.com', 0), ('Cambio', 'cambiocolombia.com', 0),
    ('Razón Pública', 'razonpublica.com', 0), ('La Patria', 'lapatria.com', 0);

-- A pool of 150 Spanish sentences per category (id = category number * 1000 + 1..150), and of 2000
-- article bodies per category made of 3 to 6 of them (id = category number * 10000 + 1..2000). An
-- article is one of those bodies and a dateline: wire copy (Colprensa, EFE) is republished by many
-- outlets, and one join per article keeps the load fast.
CREATE TEMP TABLE ol_sentence AS
SELECT c.cat_no * 1000 + g AS id, x.sentence, array_length(string_to_array(x.sentence, ' '), 1) AS words
FROM ol_cat c
CROSS JOIN ol_d d
CROSS JOIN generate_series(1, 150) AS g
CROSS JOIN LATERAL (
    SELECT replace(replace(CASE (g % 5)
        WHEN 0 THEN format('%s %s %s %s, según %s.',
            c.subject_i[width_bucket(random(), c.subject_lb)], d.verb_i[width_bucket(random(), d.verb_lb)],
            c.object_i[width_bucket(random(), c.object_lb)], d.place_i[width_bucket(random(), d.place_lb)],
            d.according_i[width_bucket(random(), d.according_lb)])
        WHEN 1 THEN format('De acuerdo con el informe, %s afectará a %s durante %s.',
            c.object_i[width_bucket(random(), c.object_lb)], d.group_i[width_bucket(random(), d.group_lb)],
            d.period_i[width_bucket(random(), d.period_lb)])
        WHEN 2 THEN format('La discusión sobre %s %s.',
            c.object_i[width_bucket(random(), c.object_lb)], d.reaction_i[width_bucket(random(), d.reaction_lb)])
        WHEN 3 THEN format('Expertos consultados por este diario explicaron que %s depende de %s.',
            c.object_i[width_bucket(random(), c.object_lb)], d.factor_i[width_bucket(random(), d.factor_lb)])
        ELSE format('%s pidieron más información sobre %s %s.',
            (SELECT upper(left(w, 1)) || substr(w, 2) FROM (SELECT d.group_i[width_bucket(random(), d.group_lb)] AS w) AS gw),
            c.object_i[width_bucket(random(), c.object_lb)], d.place_i[width_bucket(random(), d.place_lb)])
    END, ' de el ', ' del '), ' a el ', ' al ') AS sentence
    OFFSET 0
) AS x;
ALTER TABLE ol_sentence ADD PRIMARY KEY (id);
ANALYZE ol_sentence;

CREATE TEMP TABLE ol_body AS
SELECT x.id, string_agg(s.sentence, ' ' ORDER BY x.j) AS body, sum(s.words)::integer AS words
FROM (
    SELECT c.cat_no * 10000 + b AS id, j, c.cat_no * 1000 + 1 + floor(random() * 150)::integer AS sentence_id
    FROM ol_cat c
    CROSS JOIN generate_series(1, 2000) AS b
    CROSS JOIN LATERAL generate_series(1, 3 + b % 4) AS j
    OFFSET 0
) AS x
JOIN ol_sentence s ON s.id = x.sentence_id
GROUP BY x.id;
ALTER TABLE ol_body ADD PRIMARY KEY (id);
ANALYZE ol_body;

-- ---------------------------------------------------------------------------------------------------
-- Foreign keys are set aside during the load and put back at the end, as pg_restore does: checking
-- them row by row would take most of the time, checking each once at the end is one join. Their
-- definitions are read from the catalog, so this file does not repeat schema.sql.
CREATE TEMP TABLE ol_fk AS
SELECT format('%I.%I', n.nspname, t.relname) AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE c.contype = 'f' AND n.nspname = 'public'
  AND t.relname IN ('scraped_content', 'users', 'content_analysis', 'extracted_vocabulary', 'user_vocabulary',
                    'learning_sessions', 'user_content_progress', 'intelligence_alerts');

DO $$
DECLARE fk record;
BEGIN
    FOR fk IN SELECT * FROM ol_fk LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------------
-- scraped_content: in scraping order (ids grow with time); more articles in recent months.
SELECT setseed(0.11);
INSERT INTO public.scraped_content
    (id, source, category, title, content, author, url, published_date, scraped_at, difficulty_level, word_count,
     is_paywall, tags, entities)
OVERRIDING SYSTEM VALUE
SELECT a.g, a.source, a.category,
       a.title,
       CASE WHEN a.r_nobody >= 0.03 THEN p.body || ' Con información desde ' || a.town || '.' END,
       a.author,
       format('https://www.%s/%s/articulo-%s', src.domain, a.slug, a.g),
       CASE WHEN a.r_nodate >= 0.02 THEN a.published END,
       a.published + interval '1 minute' * (5 + 175 * a.r_lag),
       a.difficulty,
       length(a.title) - length(replace(a.title, ' ', '')) + 1 + CASE WHEN a.r_nobody >= 0.03 THEN p.words + 4 ELSE 0 END,
       a.published > s.t0 - interval '365 days' AND a.r_paywall < src.paywall_share,
       to_jsonb(array_remove(ARRAY[a.tag1, CASE WHEN a.tag2 <> a.tag1 THEN a.tag2 END, a.tag3], NULL)),
       jsonb_build_object(
           'people', to_jsonb(array_remove(ARRAY[a.person1, CASE WHEN a.person2 <> a.person1 THEN a.person2 END], NULL)),
           'organizations', to_jsonb(array_remove(ARRAY[a.organization], NULL)),
           'locations', jsonb_build_array(a.town))
FROM (
    SELECT b.*,
           format('%s %s %s%s', b.subject, b.verb, b.object, CASE WHEN b.r_place < 0.6 THEN ' ' || b.place ELSE '' END)
               AS title
    FROM (
        SELECT r.*,
               c.subject_i[width_bucket(random(), c.subject_lb)] AS subject,
               c.object_i[width_bucket(random(), c.object_lb)] AS object,
               c.slug,
               c.tags_i[width_bucket(random(), c.tags_lb)] AS tag1,
               c.tags_i[width_bucket(random(), c.tags_lb)] AS tag2,
               c.cat_no * 10000 + 1 + floor(random() * 2000)::integer AS body_id
        FROM (
            SELECT g,
                   d.source_i[width_bucket(random(), d.source_lb)] AS source,
                   d.category_i[width_bucket(random(), d.category_lb)] AS category,
                   d.author_i[width_bucket(random(), d.author_lb)] AS author,
                   d.verb_i[width_bucket(random(), d.verb_lb)] AS verb,
                   d.place_i[width_bucket(random(), d.place_lb)] AS place,
                   d.town_i[width_bucket(random(), d.town_lb)] AS town,
                   CASE WHEN random() < 0.7 THEN d.person_i[width_bucket(random(), d.person_lb)] END AS person1,
                   CASE WHEN random() < 0.2 THEN d.person_i[width_bucket(random(), d.person_lb)] END AS person2,
                   CASE WHEN random() < 0.6 THEN d.organization_i[width_bucket(random(), d.organization_lb)] END
                       AS organization,
                   CASE WHEN random() < 0.5 THEN d.tag_i[width_bucket(random(), d.tag_lb)] END AS tag3,
                   s.t0 - interval '730 days' * power(1 - g::float8 / s.n_content, 1.5)
                        - interval '6 hours' * random() AS published,
                   (width_bucket(random(), ARRAY[0, 0.04, 0.16, 0.50, 0.82, 0.96]::float8[]))::smallint AS difficulty,
                   random() AS r_place, random() AS r_nobody, random() AS r_nodate, random() AS r_lag,
                   random() AS r_paywall
            FROM ol_settings s
            CROSS JOIN ol_d d
            CROSS JOIN generate_series(1, s.n_content) AS g
            OFFSET 0
        ) AS r
        JOIN ol_cat c ON c.category = r.category
        OFFSET 0
    ) AS b
) AS a
CROSS JOIN ol_settings s
JOIN ol_source src ON src.source = a.source
JOIN ol_body p ON p.id = a.body_id
ORDER BY a.g;

-- ---------------------------------------------------------------------------------------------------
-- users: identity fields derive from the id (so examples can name a user at any scale); sign-ups over
-- two years, growing. Roles by id: 1, 401, 801, ... admins; 2, 52, 102, ... analysts; 3, 28, 53, ...
-- teachers; everyone else a student.
SELECT setseed(0.22);
INSERT INTO public.users
    (id, email, username, password_hash, full_name, role, spanish_level, is_active, refresh_token,
     refresh_expires_at, last_login, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT u.id,
       CASE WHEN u.id % 13 = 0
            THEN format('%s.%s%s@%s', initcap(u.first_ascii), initcap(u.last_ascii), u.id,
                        upper(left(u.domain, 1)) || substr(u.domain, 2))
            ELSE format('%s.%s%s@%s', u.first_ascii, u.last_ascii, u.id, u.domain) END,
       format('%s_%s%s', u.first_ascii, u.last_ascii, u.id),
       '$2b$12$' || substr(md5('salt' || u.id) || md5('hash' || u.id), 1, 53),
       u.first_name || ' ' || u.last_name,
       u.role,
       CASE WHEN u.role = 'student' AND u.r_level >= 0.04
            THEN (ARRAY['A1', 'A2', 'B1', 'B2', 'C1', 'C2'])[width_bucket(u.r_level, ARRAY[0.04, 0.36, 0.62, 0.82, 0.93, 0.99]::float8[])]
       END,
       u.active,
       CASE WHEN u.has_token THEN md5('refresh:' || u.id) || md5('token:' || u.id) END,
       CASE WHEN u.has_token THEN u.last_login + interval '7 days' END,
       u.last_login,
       u.created_at,
       greatest(u.created_at, coalesce(u.last_login, u.created_at))
FROM (
    SELECT v.*,
           CASE WHEN v.has_token AND v.id % 100 = 1 THEN s.t0 - interval '8 days' - interval '12 days' * v.r_login
                WHEN v.has_token THEN s.t0 - interval '7 days' * v.r_login
                WHEN v.r_never < 0.05 THEN NULL
                ELSE v.created_at + (s.t0 - v.created_at) * (1 - power(v.r_login, 3)) END AS last_login
    FROM (
        SELECT id,
               (ARRAY['Emily', 'Liam', 'Sophie', 'Lukas', 'Yuki', 'Olivia', 'Noah', 'Chloé', 'Matteo', 'Hannah',
                      'Ethan', 'Amélie', 'Jonas', 'Mia', 'Lucas', 'Ava', 'Hiroshi', 'Emma', 'Oliver', 'Ingrid',
                      'Daniel', 'Sarah', 'James', 'Grace', 'María', 'Juan', 'Camila', 'Andrés', 'Valentina',
                      'Santiago'])[1 + id % 30] AS first_name,
               (ARRAY['Smith', 'Johnson', 'Müller', 'Tanaka', 'Martin', 'Brown', 'Rossi', 'Dubois', 'Schmidt',
                      'Wilson', 'Andersen', 'Kowalski', 'Taylor', 'Nguyen', 'Clark', 'Moreau', 'Lee', 'Fischer',
                      'Walker', 'Jensen', 'García', 'Rodríguez', 'Martínez', 'Gómez', 'López', 'Hernández',
                      'Díaz', 'Moreno', 'Rojas', 'Vargas', 'Castro', 'Ortiz', 'Silva', 'Mejía', 'Restrepo',
                      'Cárdenas', 'Suárez'])[1 + (id * 7) % 37] AS last_name,
               (ARRAY['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'unal.edu.co',
                      'uniandes.edu.co'])[width_bucket(((id * 7919) % 100)::float8, ARRAY[0, 55, 75, 85, 90, 94, 97]::float8[])]
                   AS domain,
               CASE WHEN id % 400 = 1 THEN 'admin' WHEN id % 50 = 2 THEN 'analyst' WHEN id % 25 = 3 THEN 'teacher'
                    ELSE 'student' END AS role,
               s.t0 - interval '730 days' * power(1 - id::float8 / s.n_users, 0.8) AS created_at,
               (id % 10 IN (1, 4, 7)) AND id % 37 <> 0 AS has_token,
               id % 37 <> 0 AS active,
               random() AS r_level, random() AS r_login, random() AS r_never
        FROM ol_settings s CROSS JOIN generate_series(1, s.n_users) AS id
        OFFSET 0
    ) AS v
    CROSS JOIN ol_settings s
) AS w(id, first_name, last_name, domain, role, created_at, has_token, active, r_level, r_login, r_never, last_login)
CROSS JOIN LATERAL (
    SELECT w.*,
           translate(lower(w.first_name), 'áéíóúüñç', 'aeiouunc') AS first_ascii,
           translate(lower(w.last_name), 'áéíóúüñç', 'aeiouunc') AS last_ascii
) AS u
ORDER BY u.id;

-- ---------------------------------------------------------------------------------------------------
-- content_analysis: one analysis per article with a body, in processing order; one article in seven
-- was analysed again three days later by the newer model, and developing stories (articles 1707,
-- 3707, 5707, ...) were re-analysed every half hour for a day (a sentiment timeline): 49 analyses each,
-- enough for ANALYZE to list them among the most common content_ids at any scale, so the planner knows
-- they have many rows. 15 % have no sentiment score.
SELECT setseed(0.33);
INSERT INTO public.content_analysis
    (content_id, model_version, sentiment_score, sentiment_label, readability_score, entities, topics, processed_at)
SELECT x.content_id, x.model_version,
       x.score,
       CASE WHEN x.score IS NULL THEN NULL
            WHEN x.r_mixed < 0.008 THEN 'mixed'
            WHEN x.score > 0.25 THEN 'positive'
            WHEN x.score < -0.25 THEN 'negative'
            ELSE 'neutral' END,
       round((40 + 50 * random())::numeric, 2),
       x.entities,
       to_jsonb(array_remove(ARRAY[x.topic1, CASE WHEN x.topic2 <> x.topic1 THEN x.topic2 END], NULL)),
       x.processed_at
FROM (
    SELECT c.id AS content_id,
           CASE WHEN v.ord = 1 THEN 'es-news-v2' ELSE 'es-news-v3' END AS model_version,
           CASE WHEN random() >= 0.15 THEN round(((random() + random() + random()) / 1.5 - 1)::numeric, 3) END AS score,
           random() AS r_mixed,
           c.entities,
           d.topic_i[width_bucket(random(), d.topic_lb)] AS topic1,
           CASE WHEN random() < 0.6 THEN d.topic_i[width_bucket(random(), d.topic_lb)] END AS topic2,
           c.scraped_at + interval '1 minute' * (1 + 30 * random())
               + CASE WHEN v.ord = 1 THEN interval '0'
                      WHEN c.id % 2000 = 1707 THEN interval '30 minutes' * (v.ord - 1)
                      ELSE interval '3 days' END AS processed_at,
           v.ord
    FROM public.scraped_content c
    CROSS JOIN ol_d d
    CROSS JOIN LATERAL generate_series(1, CASE WHEN c.id % 2000 = 1707 THEN 49 WHEN c.id % 7 = 0 THEN 2 ELSE 1 END)
        AS v(ord)
    WHERE c.content IS NOT NULL
    OFFSET 0
) AS x
ORDER BY x.content_id, x.ord;

-- ---------------------------------------------------------------------------------------------------
-- extracted_vocabulary: 1 to 3 words per article with a body, from a Zipf-distributed lexicon.
CREATE TEMP TABLE ol_lexicon (
    k            integer GENERATED ALWAYS AS IDENTITY,   -- frequency rank: the k-th word has weight 1 / k^0.9
    word         text     NOT NULL,
    lemma        text     NOT NULL,
    pos_tag      text     NOT NULL,
    difficulty   smallint NOT NULL,
    is_colombian boolean  NOT NULL,
    translation  text     NOT NULL
);
INSERT INTO ol_lexicon (word, lemma, pos_tag, difficulty, is_colombian, translation) VALUES
    ('gobierno', 'gobierno', 'NOUN', 1, false, 'government'),
    ('país', 'país', 'NOUN', 1, false, 'country'),
    ('es', 'ser', 'VERB', 1, false, 'is'),
    ('presidente', 'presidente', 'NOUN', 1, false, 'president'),
    ('ciudad', 'ciudad', 'NOUN', 1, false, 'city'),
    ('tiene', 'tener', 'VERB', 1, false, 'has'),
    ('año', 'año', 'NOUN', 1, false, 'year'),
    ('dijo', 'decir', 'VERB', 1, false, 'said'),
    ('Colombia', 'Colombia', 'PROPN', 1, false, 'Colombia'),
    ('nuevo', 'nuevo', 'ADJ', 1, false, 'new'),
    ('también', 'también', 'ADV', 1, false, 'also'),
    ('gente', 'gente', 'NOUN', 1, false, 'people'),
    ('trabajo', 'trabajo', 'NOUN', 1, false, 'work'),
    ('dinero', 'dinero', 'NOUN', 1, false, 'money'),
    ('puede', 'poder', 'VERB', 1, false, 'can'),
    ('importante', 'importante', 'ADJ', 2, false, 'important'),
    ('anunció', 'anunciar', 'VERB', 2, false, 'announced'),
    ('ley', 'ley', 'NOUN', 2, false, 'law'),
    ('reforma', 'reforma', 'NOUN', 3, false, 'reform'),
    ('salud', 'salud', 'NOUN', 2, false, 'health'),
    ('empresa', 'empresa', 'NOUN', 2, false, 'company'),
    ('precio', 'precio', 'NOUN', 2, false, 'price'),
    ('Bogotá', 'Bogotá', 'PROPN', 1, false, 'Bogotá'),
    ('nacional', 'nacional', 'ADJ', 2, false, 'national'),
    ('elecciones', 'elección', 'NOUN', 2, false, 'elections'),
    ('ahora', 'ahora', 'ADV', 1, false, 'now'),
    ('acuerdo', 'acuerdo', 'NOUN', 2, false, 'agreement'),
    ('seguridad', 'seguridad', 'NOUN', 2, false, 'security'),
    ('mercado', 'mercado', 'NOUN', 2, false, 'market'),
    ('aseguró', 'asegurar', 'VERB', 3, false, 'stated'),
    ('paz', 'paz', 'NOUN', 1, false, 'peace'),
    ('público', 'público', 'ADJ', 2, false, 'public'),
    ('además', 'además', 'ADV', 2, false, 'besides'),
    ('comunidad', 'comunidad', 'NOUN', 2, false, 'community'),
    ('proyecto', 'proyecto', 'NOUN', 2, false, 'project'),
    ('económico', 'económico', 'ADJ', 3, false, 'economic'),
    ('inflación', 'inflación', 'NOUN', 3, false, 'inflation'),
    ('aprobó', 'aprobar', 'VERB', 3, false, 'approved'),
    ('impuesto', 'impuesto', 'NOUN', 3, false, 'tax'),
    ('desempleo', 'desempleo', 'NOUN', 3, false, 'unemployment'),
    ('Medellín', 'Medellín', 'PROPN', 1, false, 'Medellín'),
    ('todavía', 'todavía', 'ADV', 2, false, 'still'),
    ('investigación', 'investigación', 'NOUN', 3, false, 'investigation'),
    ('social', 'social', 'ADJ', 2, false, 'social'),
    ('rechazó', 'rechazar', 'VERB', 3, false, 'rejected'),
    ('sector', 'sector', 'NOUN', 3, false, 'sector'),
    ('crecimiento', 'crecimiento', 'NOUN', 3, false, 'growth'),
    ('corrupción', 'corrupción', 'NOUN', 3, false, 'corruption'),
    ('grave', 'grave', 'ADJ', 3, false, 'serious'),
    ('medida', 'medida', 'NOUN', 3, false, 'measure'),
    ('informe', 'informe', 'NOUN', 3, false, 'report'),
    ('actualmente', 'actualmente', 'ADV', 3, false, 'currently'),
    ('conflicto', 'conflicto', 'NOUN', 3, false, 'conflict'),
    ('aumentó', 'aumentar', 'VERB', 3, false, 'increased'),
    ('autoridades', 'autoridad', 'NOUN', 3, false, 'authorities'),
    ('vivienda', 'vivienda', 'NOUN', 3, false, 'housing'),
    ('transporte', 'transporte', 'NOUN', 2, false, 'transport'),
    ('Ecopetrol', 'Ecopetrol', 'PROPN', 3, false, 'Ecopetrol'),
    ('ilegal', 'ilegal', 'ADJ', 3, false, 'illegal'),
    ('finalmente', 'finalmente', 'ADV', 3, false, 'finally'),
    ('advirtió', 'advertir', 'VERB', 4, false, 'warned'),
    ('presupuesto', 'presupuesto', 'NOUN', 4, false, 'budget'),
    ('propuso', 'proponer', 'VERB', 4, false, 'proposed'),
    ('denunció', 'denunciar', 'VERB', 4, false, 'reported'),
    ('disminuyó', 'disminuir', 'VERB', 4, false, 'decreased'),
    ('aproximadamente', 'aproximadamente', 'ADV', 4, false, 'approximately'),
    ('desarrollo', 'desarrollo', 'NOUN', 3, false, 'development'),
    ('político', 'político', 'ADJ', 3, false, 'political'),
    ('narcotráfico', 'narcotráfico', 'NOUN', 5, false, 'drug trafficking'),
    ('extorsión', 'extorsión', 'NOUN', 5, false, 'extortion'),
    ('deforestación', 'deforestación', 'NOUN', 5, false, 'deforestation'),
    ('desplazamiento', 'desplazamiento', 'NOUN', 5, false, 'displacement'),
    ('sostenible', 'sostenible', 'ADJ', 5, false, 'sustainable'),
    ('afrontar', 'afrontar', 'VERB', 5, false, 'to face'),
    ('tinto', 'tinto', 'NOUN', 2, true, 'black coffee'),
    ('plata', 'plata', 'NOUN', 2, true, 'money'),
    ('chévere', 'chévere', 'ADJ', 2, true, 'great, cool'),
    ('parcero', 'parcero', 'NOUN', 3, true, 'buddy'),
    ('bacano', 'bacano', 'ADJ', 3, true, 'cool'),
    ('vaina', 'vaina', 'NOUN', 3, true, 'thing, stuff'),
    ('rumba', 'rumba', 'NOUN', 3, true, 'party'),
    ('berraco', 'berraco', 'ADJ', 4, true, 'tough; amazing'),
    ('guayabo', 'guayabo', 'NOUN', 4, true, 'hangover'),
    ('camello', 'camello', 'NOUN', 4, true, 'job'),
    ('pola', 'pola', 'NOUN', 4, true, 'beer'),
    ('mamar gallo', 'mamar gallo', 'VERB', 5, true, 'to tease'),
    ('paila', 'paila', 'ADJ', 5, true, 'too bad'),
    ('embarrarla', 'embarrar', 'VERB', 5, true, 'to mess up'),
    ('jartera', 'jartera', 'NOUN', 6, true, 'boredom'),
    ('jurisprudencia', 'jurisprudencia', 'NOUN', 6, false, 'case law'),
    ('inminente', 'inminente', 'ADJ', 6, false, 'imminent'),
    ('exhaustivo', 'exhaustivo', 'ADJ', 6, false, 'thorough'),
    ('paulatinamente', 'paulatinamente', 'ADV', 6, false, 'gradually'),
    ('vislumbrar', 'vislumbrar', 'VERB', 6, false, 'to glimpse'),
    ('sobrellevar', 'sobrellevar', 'VERB', 6, false, 'to cope with'),
    ('idiosincrasia', 'idiosincrasia', 'NOUN', 6, false, 'idiosyncrasy'),
    ('ojalá', 'ojalá', 'INTJ', 2, false, 'hopefully'),
    ('qué pena', 'qué pena', 'INTJ', 3, true, 'sorry, excuse me');

CREATE TEMP TABLE ol_lex AS
SELECT array_agg((sum_w - w) / total ORDER BY k) AS lb
FROM (SELECT k, w, sum(w) OVER (ORDER BY k) AS sum_w, sum(w) OVER () AS total
      FROM (SELECT k, 1 / power(k::float8, 0.9) AS w FROM ol_lexicon) AS r) AS z;

SELECT setseed(0.44);
INSERT INTO public.extracted_vocabulary
    (id, content_id, word, lemma, pos_tag, frequency, difficulty_level, is_colombian, context_sentence, translation,
     created_at)
OVERRIDING SYSTEM VALUE
SELECT row_number() OVER (ORDER BY x.content_id, x.ord), x.content_id, l.word, l.lemma, l.pos_tag, x.frequency,
       least(6, greatest(1, l.difficulty + x.shift))::smallint,
       l.is_colombian, NULL, l.translation, x.created_at
FROM (
    SELECT c.id AS content_id, n AS ord,
           width_bucket(random(), lx.lb) AS k,
           1 + floor(power(random(), 4) * 25)::integer AS frequency,
           CASE WHEN random() < 0.85 THEN 0 WHEN random() < 0.5 THEN -1 ELSE 1 END AS shift,
           c.scraped_at + interval '2 minutes' AS created_at
    FROM public.scraped_content c
    CROSS JOIN ol_lex lx
    CROSS JOIN LATERAL generate_series(1, 1 + (c.id * 2654435761 % 3)::integer) AS n
    WHERE c.content IS NOT NULL
    OFFSET 0
) AS x
JOIN ol_lexicon l ON l.k = x.k
ORDER BY x.content_id, x.ord;

-- ---------------------------------------------------------------------------------------------------
-- user_vocabulary: each learner saves words, in runs of consecutive vocabulary ids (the words of the
-- articles they read); a few heavy users save many. Rows arrive in the order words were saved, all
-- learners interleaved. Mastered words (level 5) have no next review.
SELECT setseed(0.55);
INSERT INTO public.user_vocabulary
    (user_id, vocabulary_id, mastery_level, ease_factor, interval_days, review_count, correct_count,
     next_review_at, last_reviewed_at, created_at)
SELECT y.user_id, y.vocabulary_id, y.mastery,
       round((1.3 + 0.3 * y.mastery + random())::numeric, 2),
       (ARRAY[0, 1, 3, 7, 14, 30])[y.mastery + 1],
       y.mastery * 2 + floor(random() * 4)::integer,
       y.mastery * 2,
       CASE WHEN y.mastery < 5 THEN y.last_reviewed + interval '1 day' * (ARRAY[0.5, 1, 3, 7, 14])[y.mastery + 1] END,
       y.last_reviewed,
       y.saved_at
FROM (
    SELECT u.id AS user_id,
           1 + (u.start + n) % nv.n_vocab AS vocabulary_id,
           width_bucket(random(), ARRAY[0, 0.2, 0.4, 0.6, 0.75, 0.87]::float8[]) - 1 AS mastery,
           s.t0 - (s.t0 - u.created_at) * power(random(), 1.5) AS saved_at,
           random() AS r_review
    FROM (SELECT id, created_at, floor(random() * 1e9)::bigint AS start,
                 (CASE WHEN id % 1000 = 42 THEN 200 ELSE 1 END + floor(-ln(1 - random()) * 7))::integer AS words
          FROM public.users WHERE role = 'student' ORDER BY id OFFSET 0) AS u
    CROSS JOIN (SELECT count(*) AS n_vocab FROM public.extracted_vocabulary) AS nv
    CROSS JOIN ol_settings s
    CROSS JOIN LATERAL generate_series(0, u.words - 1) AS n
    OFFSET 0
) AS y0
CROSS JOIN ol_settings s
CROSS JOIN LATERAL (SELECT y0.*, s.t0 - (s.t0 - y0.saved_at) * power(y0.r_review, 3) AS last_reviewed) AS y
ORDER BY y.saved_at;

-- ---------------------------------------------------------------------------------------------------
-- learning_sessions: per learner, sessions spread between sign-up and now, more recently, stored in the
-- order they started. A session started in the last 90 minutes may still be open; 0.2 % of older ones
-- were never closed.
SELECT setseed(0.66);
INSERT INTO public.learning_sessions
    (user_id, session_type, started_at, ended_at, session_date, duration_seconds, items_completed, score,
     content_ids, vocabulary_ids)
SELECT z.user_id, z.session_type, z.started_at,
       CASE WHEN z.open THEN NULL ELSE z.started_at + interval '1 second' * z.duration END,
       (z.started_at AT TIME ZONE 'America/Bogota')::date,
       CASE WHEN z.open THEN NULL ELSE z.duration END,
       z.items,
       CASE WHEN z.session_type IN ('quiz', 'vocabulary') AND NOT z.open THEN round((40 + 60 * random())::numeric, 2) END,
       CASE WHEN z.session_type IN ('reading', 'listening')
            THEN to_jsonb(ARRAY[z.c1] || CASE WHEN z.r_more < 0.4 THEN ARRAY[z.c2] ELSE '{}'::bigint[] END)
            ELSE '[]'::jsonb END,
       CASE WHEN z.session_type IN ('vocabulary', 'quiz')
            THEN to_jsonb(ARRAY[z.v1, z.v1 + 1] || CASE WHEN z.r_more < 0.5 THEN ARRAY[z.v1 + 2, z.v1 + 3] ELSE '{}'::bigint[] END)
            ELSE '[]'::jsonb END
FROM (
    SELECT u.id AS user_id,
           (ARRAY['reading', 'vocabulary', 'quiz', 'listening', 'conversation'])
               [width_bucket(random(), ARRAY[0, 0.42, 0.72, 0.91, 0.995]::float8[])] AS session_type,
           s.t0 - (s.t0 - u.created_at) * power(random(), 1.5) AS started_at,
           60 + floor(random() * 1800)::integer AS duration,
           floor(random() * 30)::integer AS items,
           random() AS r_open, random() AS r_more,
           s.n_content - floor(s.n_content * power(random(), 3))::bigint AS c1,
           s.n_content - floor(s.n_content * power(random(), 3))::bigint AS c2,
           1 + floor(random() * (nv.n_vocab - 3))::bigint AS v1
    FROM (SELECT id, created_at, (CASE WHEN id % 1000 = 42 THEN 150 ELSE 1 END + floor(-ln(1 - random()) * 6))::integer AS sessions
          FROM public.users WHERE role = 'student' ORDER BY id OFFSET 0) AS u
    CROSS JOIN ol_settings s
    CROSS JOIN (SELECT count(*) AS n_vocab FROM public.extracted_vocabulary) AS nv
    CROSS JOIN LATERAL generate_series(1, u.sessions) AS n
    OFFSET 0
) AS z0
CROSS JOIN LATERAL (
    SELECT z0.*, (z0.started_at > now() - interval '90 minutes' AND z0.r_open < 0.8) OR z0.r_open < 0.002 AS open
) AS z
ORDER BY z.started_at;

-- ---------------------------------------------------------------------------------------------------
-- user_content_progress: one row per learner and article read (recent articles are read more), in
-- the order reading started; 35 % finished, the others stopped somewhere, mostly early.
SELECT setseed(0.77);
INSERT INTO public.user_content_progress
    (user_id, content_id, read_percentage, time_spent_seconds, is_bookmarked, last_accessed_at, completed_at, created_at)
SELECT q.user_id, q.content_id,
       CASE WHEN q.done THEN 100 ELSE round((99.99 * power(q.r_pct, 1.7))::numeric, 2) END,
       floor(30 + random() * 900)::integer,
       random() < 0.08,
       q.accessed,
       CASE WHEN q.done THEN q.accessed END,
       q.accessed - interval '1 minute' * q.minutes
FROM (
    SELECT DISTINCT ON (p.user_id, p.content_id) p.*
    FROM (
        SELECT u.id AS user_id,
               s.n_content - floor(s.n_content * power(random(), 2.5))::bigint AS content_id,
               random() < 0.35 AS done, random() AS r_pct, floor(random() * 120) AS minutes,
               s.t0 - (s.t0 - u.created_at) * power(random(), 3) AS accessed
        FROM (SELECT id, created_at, (CASE WHEN id % 1000 = 42 THEN 200 ELSE 1 END + floor(-ln(1 - random()) * 8))::integer AS reads
              FROM public.users WHERE role = 'student' ORDER BY id OFFSET 0) AS u
        CROSS JOIN ol_settings s
        CROSS JOIN LATERAL generate_series(1, u.reads) AS n
        OFFSET 0
    ) AS p
    ORDER BY p.user_id, p.content_id, p.accessed DESC
) AS q
ORDER BY q.accessed - interval '1 minute' * q.minutes;

-- ---------------------------------------------------------------------------------------------------
-- intelligence_alerts: raised over two years, more recently. Alerts of the last two days are mostly
-- still active, those of the last ten days mostly acknowledged; older ones were resolved, dismissed or
-- expired. 70 % carry an expiry. Only analysts acknowledge, and a few of them do most of the work.
SELECT setseed(0.88);
INSERT INTO public.intelligence_alerts
    (alert_type, severity, status, title, description, region, source_content_id, acknowledged_by, acknowledged_at,
     keywords, entities, created_at, expires_at)
SELECT a.alert_type, a.severity, a.status,
       format('Alerta %s: %s en %s',
              CASE a.severity WHEN 'low' THEN 'baja' WHEN 'medium' THEN 'media' WHEN 'high' THEN 'alta' ELSE 'crítica' END,
              a.keyword1, a.department),
       format('Se reporta %s en %s. %s%s', a.keyword1, a.department, p.body, ' Fuente: ' || a.organization || '.'),
       a.department,
       a.source_content_id,
       CASE WHEN a.status IN ('acknowledged', 'resolved') AND a.r_ack < 0.6 OR a.status = 'acknowledged'
            THEN 2 + 50 * (floor(power(a.n_analysts + 1, a.r_analyst))::integer - 1) END,
       CASE WHEN a.status IN ('acknowledged', 'resolved') AND a.r_ack < 0.6 OR a.status = 'acknowledged'
            THEN a.created_at + interval '1 minute' * (5 + 600 * random()) END,
       to_jsonb(array_remove(ARRAY[a.keyword1, CASE WHEN a.keyword2 <> a.keyword1 THEN a.keyword2 END], NULL)),
       jsonb_build_object('locations', jsonb_build_array(a.department),
                          'organizations', to_jsonb(array_remove(ARRAY[a.organization], NULL))),
       a.created_at,
       CASE WHEN a.r_expiry < 0.6 OR a.status = 'expired' THEN a.created_at + interval '1 hour' * (12 + 156 * a.r_expiry) END
FROM (
    SELECT b.*,
           CASE WHEN b.created_at > s.t0 - interval '2 days'
                THEN CASE WHEN b.r_status < 0.7 THEN 'active' WHEN b.r_status < 0.9 THEN 'acknowledged' ELSE 'dismissed' END
                WHEN b.created_at > s.t0 - interval '10 days'
                THEN CASE WHEN b.r_status < 0.6 THEN 'acknowledged' WHEN b.r_status < 0.8 THEN 'resolved' ELSE 'dismissed' END
                ELSE CASE WHEN b.r_status < 0.5 THEN 'resolved' WHEN b.r_status < 0.7 THEN 'dismissed' ELSE 'expired' END
           END AS status,
           k.items[width_bucket(random(), k.lb)] AS keyword1,
           k.items[width_bucket(random(), k.lb)] AS keyword2,
           c.cat_no * 10000 + 1 + floor(random() * 2000)::integer AS body_id
    FROM (
        SELECT g,
               d.alert_type_i[width_bucket(random(), d.alert_type_lb)] AS alert_type,
               d.severity_i[width_bucket(random(), d.severity_lb)] AS severity,
               d.department_i[width_bucket(random(), d.department_lb)] AS department,
               CASE WHEN random() < 0.7 THEN d.organization_i[width_bucket(random(), d.organization_lb)] END
                   AS organization,
               CASE WHEN random() < 0.7 THEN 1 + floor(random() * s.n_content)::bigint END AS source_content_id,
               s.t0 - interval '730 days' * power(1 - g::float8 / s.n_alerts, 1.5) AS created_at,
               (s.n_users - 2) / 50 + 1 AS n_analysts,
               random() AS r_status, random() AS r_ack, random() AS r_analyst, random() AS r_expiry
        FROM ol_settings s CROSS JOIN ol_d d CROSS JOIN generate_series(1, s.n_alerts) AS g
        OFFSET 0
    ) AS b
    CROSS JOIN ol_settings s
    JOIN ol_dist k ON k.list = 'keywords:' || b.alert_type
    -- The description quotes a news body of the matching section.
    JOIN ol_cat c ON c.category = CASE b.alert_type
        WHEN 'security' THEN 'seguridad' WHEN 'protest' THEN 'regiones' WHEN 'political' THEN 'política'
        WHEN 'economic' THEN 'economía' WHEN 'environmental' THEN 'medio ambiente' WHEN 'health' THEN 'salud'
        WHEN 'infrastructure' THEN 'regiones' ELSE 'tecnología' END
    OFFSET 0
) AS a
JOIN ol_body p ON p.id = a.body_id
ORDER BY a.g;

-- ---------------------------------------------------------------------------------------------------
-- Foreign keys back (each validated by one query), identity sequences continue after the explicit
-- ids, statistics for the planner.
DO $$
DECLARE fk record;
BEGIN
    FOR fk IN SELECT * FROM ol_fk ORDER BY tbl, conname LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.tbl, fk.conname, fk.def);
    END LOOP;
END
$$;

SELECT setval(pg_get_serial_sequence('public.scraped_content', 'id'), (SELECT max(id) FROM public.scraped_content));
SELECT setval(pg_get_serial_sequence('public.users', 'id'), (SELECT max(id) FROM public.users));
SELECT setval(pg_get_serial_sequence('public.extracted_vocabulary', 'id'), (SELECT max(id) FROM public.extracted_vocabulary));

DROP VIEW ol_d;
SELECT set_config('work_mem', work_mem, false) FROM ol_saved_settings;
DROP TABLE ol_settings, ol_list, ol_dist, ol_cat, ol_source, ol_sentence, ol_body, ol_lexicon, ol_lex, ol_fk, ol_saved_settings;

ANALYZE public.scraped_content, public.users, public.content_analysis, public.extracted_vocabulary,
        public.user_vocabulary, public.learning_sessions, public.user_content_progress, public.intelligence_alerts;
