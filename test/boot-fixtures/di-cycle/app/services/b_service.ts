import { Service } from 'stryke';
import { AService } from './a_service';

@Service()
export class BService {
  constructor(readonly a: AService) {}
}
