import { ActiveRecord } from 'stryke';

export class ApplicationModel extends ActiveRecord {}
