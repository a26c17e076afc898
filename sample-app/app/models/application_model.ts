import { ActiveRecord } from 'stryke';

/** The base of this app's models. */
export class ApplicationModel extends ActiveRecord {}
