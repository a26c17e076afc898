// What the compiler checks on models and relations (docs/models.md, "What the compiler checks"). Each
// `@ts-expect-error` line must be an error: if the types loosen (an `any` creeping back), the directive is
// unused and the build fails. The other lines must compile.
import { anyOf, gte, type CollectionProxy, type Relation } from 'stryke';
import { Article, Author, Badge, Label, Remark } from './app';

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
const expectType = <T>(_value: T): void => undefined;
const assertEqual = <A, B>(_proof: Equal<A, B>): void => undefined;

export async function conditions(author: Author): Promise<void> {
  // Fields, association conditions, records for a belongsTo, operators, null, a SQL fragment.
  Article.where({ title: 'x', views: gte(10), publishedAt: null });
  Article.where({ author: { name: 'Ann' } });
  Article.where({ author });
  Article.where({ author: anyOf([author]) });
  Article.where('views > ?', 10);
  Article.whereNot({ tags: null }).or(Article.where({ views: 0 }));
  await Article.findBy({ title: 'x' });
  await Article.findByOrFail({ id: 1 });

  // @ts-expect-error: no field `titel`
  Article.where({ titel: 'x' });
  // @ts-expect-error: not a field on a relation either
  Article.all().where({ titel: 'x' });
  // @ts-expect-error: the joined association's keys are checked too
  Article.where({ author: { nmae: 'Ann' } });
  // @ts-expect-error: a method is no field
  Author.where({ greeting: 'x' });
  // @ts-expect-error: nor a getter
  Author.where({ displayName: 'ANN' });
  // @ts-expect-error: nor is a record's own member
  Author.where({ isNewRecord: true });
  // @ts-expect-error: findBy's keys are checked
  await Article.findBy({ titel: 'x' });
  // @ts-expect-error: so are whereNot's
  Article.whereNot({ titel: 'x' });
}

export async function columns(): Promise<void> {
  Article.order('title').order({ views: 'desc', id: 'asc' }).order('author.name', 'desc');
  Article.select('id', 'title');
  Article.group('authorId');
  const titles: string[] = await Article.pluck('title');
  const views: number | null = await Article.maximum('views');
  const ids: number[] = await Article.ids();
  await Article.sum('views');
  void titles, views, ids;

  // @ts-expect-error: no field `titel` to order by
  Article.order('titel');
  // @ts-expect-error: a direction is asc or desc
  Article.order('title', 'sideways');
  // @ts-expect-error: SQL never reaches ORDER BY
  Article.order('title; DROP TABLE articles');
  // @ts-expect-error: select takes the model's fields
  Article.select('nope');
  // @ts-expect-error: pluck too
  await Article.pluck('nope');
  // @ts-expect-error: and the calculations
  await Article.sum('nope');
  // @ts-expect-error: a joined column must start with an association
  Article.order('writer.name');
}

export async function scopes(): Promise<void> {
  const rel = Article.published().popular(100).where({ views: 1 }).newestFirst().limit(5);
  const records: Article[] = await rel;
  const first: Article | null = await Article.published().first();
  await Author.named('Ann').newestFirst();
  void records, first;

  // @ts-expect-error: a scope's arguments are checked
  Article.popular('many');
  // @ts-expect-error: and their number
  Article.published().popular();
  // @ts-expect-error: a scope of another model is not there
  Article.published().named('Ann');
  // @ts-expect-error: nor a scope that does not exist (relations have no index signature)
  Article.where({ views: 1 }).unpublished();
  // @ts-expect-error: a relation's records are the model's
  const wrong: Author[] = await Article.published();
  void wrong;
}

export async function attributes(author: Author): Promise<void> {
  await Article.create({ title: 'x', views: 0, author });
  Article.all().build({ title: 'x' });
  await author.update({ name: 'Ann' });
  author.assign({ name: 'Ann', passwordConfirmation: 'secret' });
  await Article.where({ views: 0 }).updateAll({ views: 1 });

  // @ts-expect-error: create's attributes are the model's
  await Article.create({ titel: 'x' });
  // @ts-expect-error: and update's
  await author.update({ nmae: 'Ann' });
  // @ts-expect-error: and a relation's build
  Article.all().build({ titel: 'x' });
  // @ts-expect-error: and updateAll
  await Article.updateAll({ titel: 'x' });
  // @ts-expect-error: a confirmation only for a field that exists
  author.assign({ emailConfirmation: 'x' });
}

export async function associations(article: Article, author: Author): Promise<void> {
  // Loaded<T>: a hasMany is a CollectionProxy of the records, a belongsTo the record, a hasOne the record or null.
  assertEqual<typeof article.remarks, CollectionProxy<Remark>>(true);
  assertEqual<typeof article.author, Author>(true);
  assertEqual<typeof author.badge, Badge | null>(true);
  const remark: Remark = article.remarks.build({ body: 'x' });
  expectType<Promise<Remark>>(article.remarks.create({ body: 'x' }));
  const titles: string[] = (await Article.includes('author', { remarks: 'article' })).map((a) => a.author.name);
  Article.joins('author').leftJoins({ remarks: 'article' });
  await article.load('remarks');
  const related: Relation<Remark> = article.related('remarks');
  const scoped = author.related<typeof Article>('articles').published();
  const handle = article.association('author');
  if (handle.loaded) expectType<Author>(handle.target);
  void remark, titles, related, scoped;

  // @ts-expect-error: includes names the model's associations
  Article.includes('remraks');
  // @ts-expect-error: nested too
  Article.includes({ remarks: 'author' });
  // @ts-expect-error: a field is not an association
  Article.joins('title');
  // @ts-expect-error: load takes association names
  await article.load('nope');
  // @ts-expect-error: related too
  article.related('nope');
  // @ts-expect-error: association() too
  article.association('title');
  // @ts-expect-error: a model without associations includes nothing
  Label.includes('anything');
  // @ts-expect-error: nor joins
  Label.joins({ x: 'y' });
  Label.where({ name: 'x' });
  // @ts-expect-error: its conditions are still checked
  Label.where({ nme: 'x' });
  // @ts-expect-error: and its attributes
  await Label.create({ nme: 'x' });
  // @ts-expect-error: a collection builds the associated model's attributes
  article.remarks.build({ bdy: 'x' });
  // @ts-expect-error: a relation from related() has the target's records
  const notRemarks: Relation<Author> = article.related('remarks');
  void notRemarks;
}

export function records(article: Article, author: Author): void {
  const title: string = article.title;
  const when: Date | null = article.publishedAt;
  const greeting: string = author.greeting();
  void title, when, greeting;

  // @ts-expect-error: records have no index signature: a misspelt field is an error
  void article.titel;
  // @ts-expect-error: a field reads as its declared type
  const views: string = article.views;
  // @ts-expect-error: attributeWas and hasChanges take field names
  article.attributeWas('titel');
  // @ts-expect-error: touch too
  void article.touch('titel');
  void views;
}
