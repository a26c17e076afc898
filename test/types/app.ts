// A small app for the type tests (test/types/*.types.ts): models with fields, associations and scopes, a job,
// and typed path helpers. Compiled only (never run): `npm test`'s `tsc -b` builds this folder, and a case
// that stops compiling, or an `@ts-expect-error` whose line stops being an error, fails the build.
import { ActiveRecord, BelongsTo, Field, HasMany, HasOne, Model, scope, type Loaded } from 'stryke';
import { ApplicationJob, Job } from 'stryke/jobs';

export class AppModel extends ActiveRecord {
  /** Inherited by every model, as scopes on `ApplicationModel` are. */
  static newestFirst = scope((q) => q.order('id', 'desc'));
}

@Model('authors')
export class Author extends AppModel {
  @Field({ primary: true }) id!: number;
  @Field('string') name!: string;
  @Field('string') password!: string;
  @HasMany(() => Article) articles!: Loaded<Article[]>;
  @HasOne(() => Badge) badge!: Loaded<Badge | null>;

  static named = scope((q, name: string) => q.where({ name }));

  /** A getter: read-only, no column. */
  get displayName(): string {
    return this.name.toUpperCase();
  }

  /** A method: neither a field nor an association. */
  greeting(): string {
    return `Hello, ${this.name}`;
  }
}

@Model('badges')
export class Badge extends AppModel {
  @Field({ primary: true }) id!: number;
  @Field('integer') authorId!: number;
  @Field('string') label!: string;
  @BelongsTo(() => Author) author!: Loaded<Author>;
}

@Model('articles')
export class Article extends AppModel {
  @Field({ primary: true }) id!: number;
  @Field('string') title!: string;
  @Field('integer') views!: number;
  @Field('json') tags!: string[] | null;
  @Field('datetime') publishedAt!: Date | null;
  @Field('integer') authorId!: number;
  @BelongsTo(() => Author) author!: Loaded<Author>;
  @HasMany(() => Remark) remarks!: Loaded<Remark[]>;

  static published = scope((q) => q.whereNot({ publishedAt: null }));
  static popular = scope((q, min: number) => q.where('views >= ?', min));
}

@Model('remarks')
export class Remark extends AppModel {
  @Field({ primary: true }) id!: number;
  @Field('text') body!: string;
  @Field('integer') articleId!: number;
  @BelongsTo(() => Article) article!: Loaded<Article>;
}

/** A model without associations. */
@Model('labels')
export class Label extends AppModel {
  @Field({ primary: true }) id!: number;
  @Field('string') name!: string;
}

@Job({ queue: 'mailers' })
export class SendDigest extends ApplicationJob {
  async perform(authorId: number, subject: string, options?: { urgent: boolean }): Promise<void> {
    void authorId, subject, options;
  }
}

@Job()
export class Cleanup extends ApplicationJob {
  async perform(): Promise<void> {}
}

declare module 'stryke' {
  interface AppPaths {
    articlesPath(query?: import('stryke').QueryParams): string;
    articlePath(id: import('stryke').PathParam, query?: import('stryke').QueryParams): string;
    articleRemarkPath(articleId: import('stryke').PathParam, id: import('stryke').PathParam, query?: import('stryke').QueryParams): string;
  }
}
